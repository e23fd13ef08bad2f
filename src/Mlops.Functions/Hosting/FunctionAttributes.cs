namespace Mlops.Functions.Hosting;

/// <summary>
/// Declares a class as an Azure Function. The class declares its trigger with exactly one trigger attribute
/// (<see cref="HttpTriggerAttribute"/>, <see cref="BlobTriggerAttribute"/>, ...) and any extra bindings with
/// binding attributes. The build writes <c>{Name}/function.json</c> from these declarations: they are the one
/// source of truth for the function's bindings.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FunctionAttribute(string name) : Attribute
{
    /// <summary>The function name: the folder name the host routes invocations by.</summary>
    public string Name { get; } = name;
}

/// <summary>Base of every binding attribute: knows how to describe itself as a function.json binding.</summary>
public abstract class BindingAttribute : Attribute
{
    /// <summary>The binding entries this attribute contributes to function.json, in order.</summary>
    internal abstract IEnumerable<Dictionary<string, object?>> ToBindings();
}

/// <summary>Base of trigger attributes; a function has exactly one.</summary>
public abstract class TriggerAttribute : BindingAttribute
{
    /// <summary>The trigger binding's name: the key of its value in the invocation's <c>Data</c>.</summary>
    public abstract string BindingName { get; }
}

/// <summary>Who may call an HTTP function.</summary>
public enum AuthLevel
{
    /// <summary>Anyone.</summary>
    Anonymous,
    /// <summary>Callers with a function or host key.</summary>
    Function,
    /// <summary>Callers with the master key.</summary>
    Admin,
}

/// <summary>An HTTP trigger with an <c>http</c> output named <c>res</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class HttpTriggerAttribute(string route, params string[] methods) : TriggerAttribute
{
    /// <summary>The route template under the route prefix, e.g. <c>models/{name}/predict</c>.</summary>
    public string Route { get; } = route;

    /// <summary>Allowed methods, lower case.</summary>
    public IReadOnlyList<string> Methods { get; } = methods.Select(m => m.ToLowerInvariant()).ToArray();

    /// <summary>Authorization level; anonymous by default (the API is meant to sit behind the platform's auth in Azure).</summary>
    public AuthLevel AuthLevel { get; init; } = AuthLevel.Anonymous;

    /// <inheritdoc />
    public override string BindingName => "req";

    internal override IEnumerable<Dictionary<string, object?>> ToBindings()
    {
        yield return new()
        {
            ["type"] = "httpTrigger",
            ["direction"] = "in",
            ["name"] = BindingName,
            ["methods"] = Methods,
            ["authLevel"] = AuthLevel.ToString().ToLowerInvariant(),
            ["route"] = Route,
        };
        yield return new() { ["type"] = "http", ["direction"] = "out", ["name"] = "res" };
    }
}

/// <summary>A blob trigger on a path pattern such as <c>incoming/{project}/{name}</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BlobTriggerAttribute(string path) : TriggerAttribute
{
    /// <summary>Container and blob pattern; tokens become metadata.</summary>
    public string Path { get; } = path;

    /// <summary>The app setting holding the storage connection.</summary>
    public string Connection { get; init; } = "AzureWebJobsStorage";

    /// <inheritdoc />
    public override string BindingName => "blob";

    internal override IEnumerable<Dictionary<string, object?>> ToBindings()
    {
        yield return new()
        {
            ["type"] = "blobTrigger",
            ["direction"] = "in",
            ["name"] = BindingName,
            ["path"] = Path,
            ["connection"] = Connection,
        };
    }
}

/// <summary>A timer trigger on a six-field NCRONTAB schedule or a <c>%SETTING%</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TimerTriggerAttribute(string schedule) : TriggerAttribute
{
    /// <summary>The schedule.</summary>
    public string Schedule { get; } = schedule;

    /// <summary>Fire once when the host starts.</summary>
    public bool RunOnStartup { get; init; }

    /// <inheritdoc />
    public override string BindingName => "timer";

    internal override IEnumerable<Dictionary<string, object?>> ToBindings()
    {
        yield return new()
        {
            ["type"] = "timerTrigger",
            ["direction"] = "in",
            ["name"] = BindingName,
            ["schedule"] = Schedule,
            ["runOnStartup"] = RunOnStartup,
            ["useMonitor"] = true,
        };
    }
}

/// <summary>A Durable orchestrator. Never declares outputs or <c>$return</c> (spec §1.4).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OrchestrationTriggerAttribute : TriggerAttribute
{
    /// <inheritdoc />
    public override string BindingName => "context";

    internal override IEnumerable<Dictionary<string, object?>> ToBindings()
    {
        yield return new() { ["type"] = "orchestrationTrigger", ["direction"] = "in", ["name"] = BindingName };
    }
}

/// <summary>A Durable activity. Never declares <c>$return</c> (spec §3.3).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityTriggerAttribute : TriggerAttribute
{
    /// <inheritdoc />
    public override string BindingName => "input";

    internal override IEnumerable<Dictionary<string, object?>> ToBindings()
    {
        yield return new() { ["type"] = "activityTrigger", ["direction"] = "in", ["name"] = BindingName };
    }
}

/// <summary>Adds a Durable client input (<c>durableClient</c>, name <c>starter</c>): the function can start and query orchestrations.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DurableClientAttribute : BindingAttribute
{
    /// <summary>The binding name, the key of the client payload in <c>Data</c>.</summary>
    public const string BindingName = "starter";

    internal override IEnumerable<Dictionary<string, object?>> ToBindings()
    {
        yield return new() { ["type"] = "durableClient", ["direction"] = "in", ["name"] = BindingName };
    }
}
