using System.Text.Json;
using Mlops.Catalog.Registry;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Testing;

namespace Mlops.Catalog.Tests;

/// <summary>One Azurite for the whole test project; each test uses fresh model/project names so they never interfere.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}

internal static class Samples
{
    private static int _counter;

    public static string Name(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";

    public static string Sha(string seed) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)));

    public static ModelRegistration Registration(string model, string runId, string onnxText = "onnx-bytes") => new()
    {
        Model = model,
        RunId = runId,
        Project = model,
        Trainer = "lightgbm",
        Metric = "macroF1",
        Data = new ModelCardData(Sha("data"), 1461, 1169, 292),
        Metrics = new Dictionary<string, double> { ["macroF1"] = 0.61, ["accuracy"] = 0.83 },
        Signature = new ModelSignature
        {
            Task = TaskKind.Multiclass,
            Inputs = [new SignatureField("temp_max", "float", [-1, 1], false), new SignatureField("precipitation", "float", [-1, 1], true)],
            Outputs = [new SignatureField("label", "string", [-1], false)],
            ClassLabels = ["rain", "sun"],
        },
        Parity = new ParityFigures(292, 1e-6, 1e-4, true, 1.0),
        Artifacts = [new ModelArtifact("model.onnx", BinaryData.FromString(onnxText)), new ModelArtifact("model.zip", BinaryData.FromString("mlnet"))],
    };

    public static DatasetSchema Schema => new([new ColumnSchema("temp_max", ColumnKind.Numeric, false), new ColumnSchema("weather", ColumnKind.Categorical, false)]);

    public static DatasetProfile Profile(long rows) => new()
    {
        RowCount = rows,
        Columns = [new ColumnProfile { Name = "temp_max", Kind = ColumnKind.Numeric, Count = rows, Nulls = 0 }],
    };

    public static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
