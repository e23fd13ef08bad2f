using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Bindings;

/// <summary>Values of non-trigger input bindings, sent after the trigger (spec §5): today the durableClient JSON.</summary>
internal sealed class InputBinder
{
    /// <summary>Builds the durableClient binding JSON for a request's public base address; null when Durable is not running.</summary>
    public Func<Uri, string>? DurableClientJson { get; set; }

    /// <summary>The public base address used when no HTTP request is at hand (timer, queue, blob triggers).</summary>
    public Uri PublicBaseUri { get; set; } = new("http://localhost:7071/");

    public IReadOnlyList<KeyValuePair<string, BindingValue?>> ExtraInputs(FunctionDefinition function, Uri? requestBase)
    {
        var list = new List<KeyValuePair<string, BindingValue?>>();
        foreach (var binding in function.ExtraInputs)
        {
            BindingValue? value = binding.IsType("durableClient") && DurableClientJson is { } json
                ? new BindingValue.Text(json(requestBase ?? PublicBaseUri))
                : null;
            list.Add(new(binding.Name, value));
        }

        return list;
    }
}
