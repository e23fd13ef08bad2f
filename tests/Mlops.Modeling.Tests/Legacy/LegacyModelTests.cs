using System.Text.Json;
using Mlops.Modeling.Featurization;
using Mlops.Modeling.Serving;

namespace Mlops.Modeling.Tests.Legacy;

/// <summary>
/// Models registered before the ONNX converter replaced our own exporter keep loading and serving: each committed file
/// (see <c>Legacy/Models/README.md</c>) must predict what it predicted on the day it was written.
/// </summary>
public sealed class LegacyModelTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Legacy", "Models");

    public static TheoryData<string> Models() =>
        new(Directory.GetFiles(Folder, "*.onnx").Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_ModelFromOldExporter_SamePredictionsAsWhenExported(string name)
    {
        var model = File.ReadAllBytes(Path.Combine(Folder, name + ".onnx"));
        var signature = ModelSignature.FromJson(File.ReadAllText(Path.Combine(Folder, name + ".signature.json")));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".expected.json")));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => (IReadOnlyDictionary<string, JsonElement>)r.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()))
            .ToList();
        var expected = doc.RootElement.GetProperty("expected").Deserialize<List<Prediction>>(ModelingJson.Options)!;

        using var predictor = new OnnxPredictor(model, signature);
        var actual = predictor.Predict(rows).Predictions;

        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.Count >= 40);
        for (var r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Label, actual[r].Label);
            if (expected[r].Value is { } value)
            {
                Assert.Equal(value, actual[r].Value!.Value, 1e-5);
            }

            foreach (var (label, p) in expected[r].Probabilities ?? new Dictionary<string, float>())
            {
                Assert.Equal(p, actual[r].Probabilities![label], 1e-5);
            }
        }
    }

    [Fact]
    public void Read_ModelFromOldExporter_SignatureFromItsMetadata()
    {
        var model = File.ReadAllBytes(Path.Combine(Folder, "penguins-sdca.onnx"));
        var signature = OnnxSignature.Read(model);
        Assert.Equal(Core.Projects.TaskKind.Multiclass, signature.Task);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], signature.ClassLabels);
    }
}
