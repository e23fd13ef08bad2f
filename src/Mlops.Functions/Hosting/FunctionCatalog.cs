using System.Reflection;

namespace Mlops.Functions.Hosting;

/// <summary>The kind of trigger a function has; decides how an invocation is decoded.</summary>
public enum TriggerKind
{
    /// <summary>HTTP.</summary>
    Http,
    /// <summary>Blob.</summary>
    Blob,
    /// <summary>Timer.</summary>
    Timer,
    /// <summary>Durable orchestrator.</summary>
    Orchestration,
    /// <summary>Durable activity.</summary>
    Activity,
}

/// <summary>One function: its name, implementing type and declared bindings.</summary>
public sealed record FunctionDescriptor(string Name, Type Type, TriggerAttribute Trigger, IReadOnlyList<BindingAttribute> ExtraBindings)
{
    /// <summary>The trigger's kind.</summary>
    public TriggerKind Kind => Trigger switch
    {
        HttpTriggerAttribute => TriggerKind.Http,
        BlobTriggerAttribute => TriggerKind.Blob,
        TimerTriggerAttribute => TriggerKind.Timer,
        OrchestrationTriggerAttribute => TriggerKind.Orchestration,
        ActivityTriggerAttribute => TriggerKind.Activity,
        _ => throw new InvalidOperationException($"Unknown trigger {Trigger.GetType().Name}."),
    };

    /// <summary>True when the function declares a Durable client input.</summary>
    public bool HasDurableClient => ExtraBindings.OfType<DurableClientAttribute>().Any();

    /// <summary>
    /// True when the host forwards the raw HTTP request (spec §2.4): an HTTP trigger with no other binding,
    /// and forwarding enabled in host.json. Otherwise it sends the JSON payload to <c>/{Name}</c>.
    /// </summary>
    public bool IsForwardedHttp => Kind == TriggerKind.Http && ExtraBindings.Count == 0;

    /// <summary>Every function.json binding, trigger first.</summary>
    public IEnumerable<Dictionary<string, object?>> Bindings => Trigger.ToBindings().Concat(ExtraBindings.SelectMany(b => b.ToBindings()));
}

/// <summary>Finds the functions an assembly declares with <see cref="FunctionAttribute"/>.</summary>
public sealed class FunctionCatalog
{
    private readonly Dictionary<string, FunctionDescriptor> _byName;

    private FunctionCatalog(IReadOnlyList<FunctionDescriptor> functions)
    {
        Functions = functions;
        _byName = functions.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>All functions, ordered by name.</summary>
    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    /// <summary>The function called <paramref name="name"/> (case-insensitive, like the host), or null.</summary>
    public FunctionDescriptor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Scans <paramref name="assembly"/>; throws on a class with no trigger or two, or a duplicate name.</summary>
    public static FunctionCatalog FromAssembly(Assembly assembly)
    {
        var functions = new List<FunctionDescriptor>();
        foreach (var type in assembly.GetTypes())
        {
            var function = type.GetCustomAttribute<FunctionAttribute>();
            if (function is null)
            {
                continue;
            }

            var bindings = type.GetCustomAttributes<BindingAttribute>().ToList();
            var triggers = bindings.OfType<TriggerAttribute>().ToList();
            if (triggers.Count != 1)
            {
                throw new InvalidOperationException($"Function '{function.Name}' ({type.Name}) must declare exactly one trigger; it declares {triggers.Count}.");
            }

            functions.Add(new FunctionDescriptor(function.Name, type, triggers[0], bindings.Where(b => b is not TriggerAttribute).ToList()));
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Function name '{duplicate.Key}' is declared twice.");
        }

        return new FunctionCatalog(functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }
}
