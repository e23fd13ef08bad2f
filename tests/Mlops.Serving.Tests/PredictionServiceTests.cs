using System.Text;
using System.Text.Json;
using Mlops.Core.Errors;

namespace Mlops.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class PredictionServiceTests(ServingFixture fixture) : IAsyncLifetime
{
    private string _model = "";
    private PredictionLogWriter _log = null!;
    private PredictionService _service = null!;

    public async Task InitializeAsync()
    {
        _model = await fixture.ProductionModelAsync("predict");
        _log = new PredictionLogWriter(fixture.Catalog.Predictions);
        _service = new PredictionService(new ModelCache(fixture.Catalog.Models), _log);
    }

    public async Task DisposeAsync() => await _log.DisposeAsync();

    private Task<ScoringResponse> Predict(string json, string selector = "production") =>
        _service.PredictAsync(_model, selector, Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task PredictAsync_EveryShape_SameClassPredictions()
    {
        var rows = JsonSerializer.Deserialize<List<Dictionary<string, double>>>(fixture.WeatherRowsJson(20, skip: 100))!;
        var columns = rows[0].Keys.ToList();
        var split = JsonSerializer.Serialize(new { columns, data = rows.Select(r => columns.Select(c => r[c])) });
        var byColumn = JsonSerializer.Serialize(columns.ToDictionary(c => c, c => rows.Select(r => r[c])));
        var rowsJson = JsonSerializer.Serialize(rows);

        var responses = new[]
        {
            await Predict($$"""{"instances":{{rowsJson}}}"""),
            await Predict($$"""{"dataframe_records":{{rowsJson}}}"""),
            await Predict($$"""{"inputs":{{byColumn}}}"""),
            await Predict($$"""{"dataframe_split":{{split}}}"""),
            await Predict($$"""{"input_data":{{split}}}"""),
        };

        var first = responses[0].Predictions.Cast<ClassPrediction>().ToList();
        Assert.Equal(20, first.Count);
        Assert.All(first, p => Assert.Equal(1.0, p.Probabilities.Values.Sum(), 3));
        Assert.All(first, p => Assert.Contains(p.Label, p.Probabilities.Keys));
        foreach (var response in responses)
        {
            Assert.Equal(new ModelRef(_model, 1), response.Model);
            Assert.Equal(first.Select(p => p.Label), response.Predictions.Cast<ClassPrediction>().Select(p => p.Label));
            Assert.Equal(20, response.PredictionIds.Distinct().Count());
            Assert.All(response.PredictionIds, id => Assert.Matches("^[0-9a-f]{32}$", id));
            Assert.Null(response.Warnings);
        }
    }

    [Fact]
    public async Task PredictAsync_IntegersForFloatColumns_Accepted()
    {
        var response = await Predict("""{"instances":[{"precipitation":0,"temp_max":13,"temp_min":5,"wind":5}]}""");
        Assert.IsType<ClassPrediction>(Assert.Single(response.Predictions));
    }

    [Fact]
    public async Task PredictAsync_ExtraColumn_IgnoredAndWarned()
    {
        var response = await Predict("""{"instances":[{"precipitation":0,"temp_max":13,"temp_min":5,"wind":5,"city":"seattle"}]}""");
        Assert.Contains(response.Warnings!, w => w.Contains("'city'", StringComparison.Ordinal));
        Assert.DoesNotContain(response.Warnings!, w => w.Contains("seattle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PredictAsync_MissingColumnOrWrongType_NamesColumnWithoutEchoingValue()
    {
        var missing = await Assert.ThrowsAsync<MlopsException>(() => Predict("""{"instances":[{"precipitation":0,"temp_min":5,"wind":5}]}"""));
        Assert.Contains(missing.Violations, v => v.Field == "temp_max" && v.Rule == "required");

        var wrongType = await Assert.ThrowsAsync<MlopsException>(() => Predict("""{"instances":[{"precipitation":0,"temp_max":"secret-hot","temp_min":5,"wind":5}]}"""));
        Assert.Contains(wrongType.Violations, v => v.Field == "temp_max" && v.Rule == "type");
        Assert.DoesNotContain("secret-hot", wrongType.Message + string.Concat(wrongType.Violations.Select(v => v.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictAsync_PinnedVersion_UsesIt()
    {
        var response = await Predict($$"""{"instances":{{fixture.WeatherRowsJson(1)}}}""", "1");
        Assert.Equal(1, response.Model.Version);
        var missing = await Assert.ThrowsAsync<MlopsException>(() => Predict($$"""{"instances":{{fixture.WeatherRowsJson(1)}}}""", "7"));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
    }

    [Fact]
    public async Task PredictAsync_Response_SerialisesToTheContractShape()
    {
        var response = await Predict($$"""{"instances":{{fixture.WeatherRowsJson(2)}}}""");
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(response, ServingJson.Options));
        var root = doc.RootElement;
        Assert.Equal(_model, root.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal(1, root.GetProperty("model").GetProperty("version").GetInt32());
        Assert.Equal(2, root.GetProperty("predictionIds").GetArrayLength());
        var first = root.GetProperty("predictions")[0];
        Assert.Equal(JsonValueKind.String, first.GetProperty("label").ValueKind);
        Assert.Equal(JsonValueKind.Object, first.GetProperty("probabilities").ValueKind);
        Assert.False(root.TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task PredictAsync_Logged_FlushWritesInputsOutputsAndIds()
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        var responses = new List<ScoringResponse>();
        for (var i = 0; i < 5; i++)
        {
            responses.Add(await Predict($$$"""{"dataframe_split":{"columns":["precipitation","temp_max","temp_min","wind"],"data":[[0,{{{10 + i}}},5,3.5],[1.5,8,2,6]]}}"""));
        }

        await _log.FlushAsync();
        var logged = await fixture.Catalog.Predictions.ReadAsync(_model, from, DateTimeOffset.UtcNow.AddMinutes(1)).ToListAsync();

        var ids = responses.SelectMany(r => r.PredictionIds).ToHashSet();
        Assert.Equal(ids, logged.Select(r => r.PredictionId).ToHashSet());
        var record = logged.Single(r => r.PredictionId == responses[3].PredictionIds[0]);
        Assert.Equal(13, record.Inputs["temp_max"].GetDouble());
        Assert.Equal(1, record.Version);
        Assert.Equal(((ClassPrediction)responses[3].Predictions[0]).Label, record.Output.GetProperty("label").GetString());
        Assert.Equal(10, _log.Written);
        Assert.Equal(0, _log.Dropped + _log.Failed);
    }
}
