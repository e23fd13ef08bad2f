namespace Mlops.WorkerHost.Configuration;

/// <summary>A function as the host knows it: name, where the worker finds it, and its bindings (no protocol types).</summary>
internal sealed class FunctionDefinition(string name, string scriptFile, string entryPoint, IReadOnlyList<BindingDefinition> bindings)
{
    public string Name { get; } = name;

    public string ScriptFile { get; } = scriptFile;

    public string EntryPoint { get; } = entryPoint;

    public IReadOnlyList<BindingDefinition> Bindings { get; } = bindings;

    /// <summary>Function metadata properties passed back to the worker on load.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    public BindingDefinition? Trigger => Bindings.FirstOrDefault(b => b.IsTrigger && b.IsIn);

    public string TriggerType => Trigger?.Type ?? "";

    public bool HasTrigger(string type) => Trigger?.IsType(type) == true;

    /// <summary>Non-trigger inputs (e.g. durableClient): sent in input_data after the trigger.</summary>
    public IEnumerable<BindingDefinition> ExtraInputs => Bindings.Where(b => b.IsIn && !b.IsTrigger);

    public IEnumerable<BindingDefinition> Outputs => Bindings.Where(b => b.IsOut);
}
