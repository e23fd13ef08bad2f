using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Core.Errors;

namespace Mlops.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class OpenInferenceServiceTests(ServingFixture fixture) : IAsyncLifetime
{
    private string _model = "";
    private ServiceProvider _services = null!;
    private OpenInferenceService _service = null!;

    public async Task InitializeAsync()
    {
        _model = await fixture.ProductionModelAsync("v2");
        // Built the way the app builds it: the catalog's services plus AddMlopsServing.
        _services = new ServiceCollection()
            .AddSingleton(fixture.Catalog.Models)
            .AddSingleton(fixture.Catalog.Predictions)
            .AddMlopsServing()
            .BuildServiceProvider();
        _service = _services.GetRequiredService<OpenInferenceService>();
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static string Tensor(string name, string datatype, IEnumerable<long> shape, object data) =>
        JsonSerializer.Serialize(new { name, datatype, shape, data });

    private static string WeatherRequest(string? extra = null) =>
        $$"""{"id":"req-1","inputs":[{{Tensor("precipitation", "FP32", [2], new[] { 0.0, 10.9 })}},{{Tensor("temp_max", "FP32", [2, 1], new[] { new[] { 12.8 }, new[] { 10.6 } })}},{{Tensor("temp_min", "FP64", [2], new[] { 5, 2 })}},{{Tensor("wind", "FP32", [2], new[] { 4.7, 4.5 })}}{{extra}}]}""";

    [Fact]
    public async Task InferAsync_ColumnTensors_LabelAndProbabilityTensors()
    {
        var response = await _service.InferAsync(_model, Encoding.UTF8.GetBytes(WeatherRequest()));

        Assert.Equal((_model, "1", "req-1"), (response.ModelName, response.ModelVersion, response.Id));
        var label = response.Outputs.Single(o => o.Name == "label");
        Assert.Equal("BYTES", label.Datatype);
        Assert.Equal([2L], label.Shape);
        var probabilities = response.Outputs.Single(o => o.Name == "probabilities");
        var classes = (IReadOnlyList<string>)probabilities.Parameters!["labels"];
        Assert.Equal(new long[] { 2, classes.Count }, probabilities.Shape);
        var values = (float[])probabilities.Data;
        Assert.Equal(1.0, values.Take(classes.Count).Sum(), 3);
        Assert.Equal(2, response.Parameters.PredictionIds.Count);

        // The same rows through the MLflow-shaped route give the same labels.
        var mlflow = await _services.GetRequiredService<PredictionService>().PredictAsync(_model, "production", ServingFixture.Json(
            """{"instances":[{"precipitation":0,"temp_max":12.8,"temp_min":5,"wind":4.7},{"precipitation":10.9,"temp_max":10.6,"temp_min":2,"wind":4.5}]}"""));
        Assert.Equal(mlflow.Predictions.Cast<ClassPrediction>().Select(p => p.Label), (string[])label.Data);

        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(response, ServingJson.Options));
        Assert.Equal(_model, doc.RootElement.GetProperty("model_name").GetString());
        Assert.Equal(2 * classes.Count, doc.RootElement.GetProperty("outputs")[1].GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task InferAsync_RequestedOutput_OnlyThatOne()
    {
        var body = WeatherRequest().TrimEnd('}') + ""","outputs":[{"name":"label"}]}""";
        var response = await _service.InferAsync(_model, Encoding.UTF8.GetBytes(body));
        Assert.Equal("label", Assert.Single(response.Outputs).Name);
    }

    [Theory]
    [InlineData("""{"inputs":[]}""", "inputs", "type")]
    [InlineData("""{"inputs":[{"name":"temp_max","datatype":"FP32","shape":[3],"data":[1,2]}]}""", "inputs[0].data", "shape")]
    [InlineData("""{"inputs":[{"name":"temp_max","datatype":"FP32","shape":[1],"data":["secret-value"]}]}""", "inputs[0].data", "datatype")]
    [InlineData("""{"inputs":[{"name":"temp_max","datatype":"STRING","shape":[1],"data":[1]}]}""", "inputs[0].datatype", "datatype")]
    [InlineData("""{"inputs":[{"name":"a","datatype":"FP32","shape":[1],"data":[1]},{"name":"b","datatype":"FP32","shape":[2],"data":[1,2]}]}""", "inputs[1].shape", "shape")]
    [InlineData("""{"inputs":[{"name":"precipitation","datatype":"FP32","shape":[1],"data":[1]}]}""", "temp_max", "required")]
    public async Task InferAsync_BadRequest_NamesFieldAndRule(string body, string field, string rule)
    {
        var error = await Assert.ThrowsAsync<MlopsException>(() => _service.InferAsync(_model, Encoding.UTF8.GetBytes(body)));
        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        Assert.Contains(error.Violations, v => v.Field == field && v.Rule == rule);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMetadataAsync_ProductionModel_DescribesInputsAndOutputs()
    {
        var metadata = await _service.GetMetadataAsync(_model);

        Assert.Equal((_model, "onnxruntime_onnx"), (metadata.Name, metadata.Platform));
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal(["precipitation", "temp_max", "temp_min", "wind"], metadata.Inputs.Select(i => i.Name).Order());
        Assert.All(metadata.Inputs, i => Assert.Equal("FP32", i.Datatype));
        Assert.Equal(["label", "probabilities"], metadata.Outputs.Select(o => o.Name));
        Assert.Equal(5, metadata.Outputs[1].Shape[1]);
    }

    [Fact]
    public async Task GetMetadataAsync_NoProductionVersion_NotFound()
    {
        var error = await Assert.ThrowsAsync<MlopsException>(() => _service.GetMetadataAsync(fixture.NewModelName("v2-none")));
        Assert.Equal(ErrorCode.NotFound, error.Code);
    }

    [Fact]
    public void Ready_Always_True() => Assert.True(OpenInferenceService.Ready().Ready);
}
