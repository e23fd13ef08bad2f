using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Mlops.FunctionApp.Tests.EndToEnd;

/// <summary>
/// Serving as a client meets it: a model trained through the app (HTTP upload, durable pipeline, ONNX export), then
/// the predict routes in every request shape, problem details for bad input, the Open Inference Protocol routes, the
/// prediction log in storage, feedback, and a promotion and a rollback while requests keep coming.
/// </summary>
public sealed class ServingEndToEndTests(AppHostFixture app) : IClassFixture<AppHostFixture>
{
    private const string Served = "serve-weather";

    // Four real rows of seattle-weather.csv (2012-01-01 .. 2012-01-04), without date and target.
    private const string Records = """
        [{"precipitation":0.0,"temp_max":12.8,"temp_min":5.0,"wind":4.7},
         {"precipitation":10.9,"temp_max":10.6,"temp_min":2.8,"wind":4.5},
         {"precipitation":0.8,"temp_max":11.7,"temp_min":7.2,"wind":2.3},
         {"precipitation":20.3,"temp_max":12.2,"temp_min":5.6,"wind":4.7}]
        """;

    private const string Split = """
        {"columns":["precipitation","temp_max","temp_min","wind"],
         "data":[[0.0,12.8,5.0,4.7],[10.9,10.6,2.8,4.5],[0.8,11.7,7.2,2.3],[20.3,12.2,5.6,4.7]]}
        """;

    private const string OneRow = """{"dataframe_records":[{"precipitation":1.3,"temp_max":8.9,"temp_min":2.8,"wind":6.1}]}""";

    // One training per fixture (host): every test of the class predicts on the same model.
    private static readonly ConditionalWeakTable<AppHostFixture, Task> Trained = new();

    private Task EnsureModelAsync()
    {
        lock (Trained)
        {
            if (!Trained.TryGetValue(app, out var training) || training.IsFaulted)
            {
                training = TrainAsync(app, Served, WeatherData.FastSpec, WeatherData.All, expectPromoted: true);
                Trained.AddOrUpdate(app, training);
            }

            return training;
        }
    }

    private static async Task<JsonElement> TrainAsync(AppHostFixture app, string project, string spec, string csv, bool expectPromoted)
    {
        await app.PutProjectAsync(project, spec);
        var (status, body) = await app.PostCsvAsync(project, csv);
        Assert.True(status == 202, $"upload to {project}: {status} {body}");
        var run = await app.WaitForRunAsync(body.GetProperty("runId").GetString()!, TimeSpan.FromMinutes(2));
        Assert.True(run.GetProperty("runtimeStatus").GetString() == "Completed", run.ToString());
        Assert.Equal(expectPromoted, run.GetProperty("output").GetProperty("promoted").GetBoolean());
        return run.GetProperty("output");
    }

    private async Task<(int Status, string MediaType, string Text)> PostAsync(string path, string json)
    {
        using var response = await app.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> PredictOkAsync(string path, string json)
    {
        var (status, _, text) = await PostAsync(path, json);
        Assert.True(status == 200, $"POST {path}: {status} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static void AssertPredictions(JsonElement response, int rows, int version)
    {
        var predictions = response.GetProperty("predictions");
        Assert.Equal(rows, predictions.GetArrayLength());
        string[] labels = ["drizzle", "fog", "rain", "snow", "sun"];
        foreach (var prediction in predictions.EnumerateArray())
        {
            Assert.Contains(prediction.GetProperty("label").GetString(), labels);
            var probabilities = prediction.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetDouble()).ToList();
            Assert.InRange(probabilities.Sum(), 0.98, 1.02);
        }

        Assert.Equal(Served, response.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal(version, response.GetProperty("model").GetProperty("version").GetInt32());
        var ids = response.GetProperty("predictionIds").EnumerateArray().Select(i => i.GetString()).ToList();
        Assert.Equal(rows, ids.Count);
        Assert.Equal(rows, ids.Distinct().Count());
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
    }

    [Fact]
    public async Task Predict_EveryRequestShape_OnePredictionPerRowWithModelAndDistinctIds()
    {
        await EnsureModelAsync();
        var columnwise = """{"inputs":{"precipitation":[0.0,10.9,0.8,20.3],"temp_max":[12.8,10.6,11.7,12.2],"temp_min":[5.0,2.8,7.2,5.6],"wind":[4.7,4.5,2.3,4.7]}}""";
        var bodies = new[]
        {
            $$"""{"dataframe_records":{{Records}}}""",
            $$"""{"dataframe_split":{{Split}}}""",
            $$"""{"instances":{{Records}}}""",
            columnwise,
            $$"""{"inputs":{{Records}}}""",
            """{"input_data":{"dataframe_split":""" + Split + "}}",
            $$"""{"input_data":{{Split}}}""",
            $$"""{"input_data":{{Records}}}""",
        };

        var responses = new List<JsonElement>();
        foreach (var body in bodies)
        {
            var response = await PredictOkAsync($"api/models/{Served}/predict", body);
            AssertPredictions(response, rows: 4, version: 1);
            Assert.False(response.TryGetProperty("warnings", out var w) && w.GetArrayLength() > 0, $"no warnings for {body}: {response}");
            responses.Add(response);
        }

        // Same rows, same model: every shape yields the same labels; every request gets fresh ids.
        var labels = responses.Select(r => string.Join(",", r.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString()))).Distinct().ToList();
        Assert.Single(labels);
        var allIds = responses.SelectMany(r => r.GetProperty("predictionIds").EnumerateArray().Select(i => i.GetString())).ToList();
        Assert.Equal(allIds.Count, allIds.Distinct().Count());
    }

    [Fact]
    public async Task Predict_JsonIntegersForFloatColumns_Accepted()
    {
        await EnsureModelAsync();

        var response = await PredictOkAsync($"api/models/{Served}/predict",
            """{"dataframe_records":[{"precipitation":0,"temp_max":13,"temp_min":5,"wind":4},{"precipitation":11,"temp_max":10,"temp_min":3,"wind":5}]}""");

        AssertPredictions(response, rows: 2, version: 1);
    }

    [Fact]
    public async Task Predict_ExtraColumn_200WithWarningNamingIt()
    {
        await EnsureModelAsync();

        var response = await PredictOkAsync($"api/models/{Served}/predict",
            """{"dataframe_records":[{"precipitation":0.0,"temp_max":12.8,"temp_min":5.0,"wind":4.7,"humidity":81}]}""");

        AssertPredictions(response, rows: 1, version: 1);
        var warnings = response.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Contains(warnings, w => w.Contains("humidity", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PredictVersion_PinnedVersion1_AnswersWithVersion1()
    {
        await EnsureModelAsync();

        var response = await PredictOkAsync($"api/models/{Served}/versions/1/predict", $$"""{"dataframe_split":{{Split}}}""");

        AssertPredictions(response, rows: 4, version: 1);
    }

    [Theory]
    [InlineData("""{"dataframe_records":[{"precipitation":0.0,"temp_min":5.0,"wind":4.7}]}""", "temp_max", "required", null)]
    [InlineData("""{"dataframe_records":[{"precipitation":0.0,"temp_max":"very-warm-417","temp_min":5.0,"wind":4.7}]}""", "temp_max", "type", "very-warm-417")]
    [InlineData("""{"dataframe_split":{"columns":["precipitation","temp_max","temp_min","wind"],"data":[[0.0,"hot-and-secret-93",5.0,4.7]]}}""", "temp_max", "type", "hot-and-secret-93")]
    [InlineData("""{"instances":[{"precipitation":0.0,"temp_max":12.8,"temp_min":5.0,"wind":4.7}],"dataframe_records":[{"precipitation":0.0,"temp_max":12.8,"temp_min":5.0,"wind":4.7}]}""", "$", "one-of", null)]
    public async Task Predict_BadInput_400ProblemNamingFieldAndRuleWithoutEchoingValue(string body, string field, string rule, string? secret)
    {
        await EnsureModelAsync();

        var (status, mediaType, text) = await PostAsync($"api/models/{Served}/predict", body);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", mediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("field").GetString() == field && e.GetProperty("rule").GetString() == rule);
        if (secret is not null)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        if (rule == "one-of")
        {
            Assert.Contains("instances", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("dataframe_records", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Predict_BatchOverMaxRows_400MaxBatch()
    {
        await EnsureModelAsync();
        var row = "[0.0,12.8,5.0,4.7]";
        var body = """{"dataframe_split":{"columns":["precipitation","temp_max","temp_min","wind"],"data":[""" + string.Join(",", Enumerable.Repeat(row, 10_001)) + "]}}";

        var (status, mediaType, text) = await PostAsync($"api/models/{Served}/predict", body);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", mediaType);
        var error = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("dataframe_split.data", error.GetProperty("field").GetString());
        Assert.Equal("max-batch", error.GetProperty("rule").GetString());
    }

    [Theory]
    [InlineData("api/models/no-such-model/predict")]
    [InlineData("api/models/serve-weather/versions/99/predict")]
    public async Task Predict_UnknownModelOrVersion_404Problem(string path)
    {
        await EnsureModelAsync();

        var (status, mediaType, text) = await PostAsync(path, OneRow);

        Assert.True(status == 404, $"{path}: {status} {text}");
        Assert.Equal("application/problem+json", mediaType);
    }

    [Fact]
    public async Task OpenInference_ReadyMetadataInfer_FollowTheProtocol()
    {
        await EnsureModelAsync();

        var ready = await app.Http.GetFromJsonAsync<JsonElement>("api/v2/health/ready");
        Assert.True(ready.GetProperty("ready").GetBoolean());

        var metadata = await app.Http.GetFromJsonAsync<JsonElement>($"api/v2/models/{Served}");
        Assert.Equal(Served, metadata.GetProperty("name").GetString());
        Assert.Equal("onnxruntime_onnx", metadata.GetProperty("platform").GetString());
        Assert.Contains("1", metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        var inputs = metadata.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()).Order().ToList();
        Assert.Equal(["precipitation", "temp_max", "temp_min", "wind"], inputs);

        var infer = await PredictOkAsync($"api/v2/models/{Served}/infer", """
            {"id":"req-7","inputs":[
              {"name":"precipitation","shape":[2],"datatype":"FP32","data":[0.0,10.9]},
              {"name":"temp_max","shape":[2],"datatype":"FP32","data":[12.8,10.6]},
              {"name":"temp_min","shape":[2,1],"datatype":"FP64","data":[[5.0],[2.8]]},
              {"name":"wind","shape":[2],"datatype":"FP32","data":[4.7,4.5]}]}
            """);
        Assert.Equal(Served, infer.GetProperty("model_name").GetString());
        Assert.Equal("1", infer.GetProperty("model_version").GetString());
        Assert.Equal("req-7", infer.GetProperty("id").GetString());
        var outputs = infer.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal("BYTES", outputs["label"].GetProperty("datatype").GetString());
        Assert.Equal(2, outputs["label"].GetProperty("data").GetArrayLength());
        var probabilities = outputs["probabilities"];
        Assert.Equal("FP32", probabilities.GetProperty("datatype").GetString());
        var classes = probabilities.GetProperty("parameters").GetProperty("labels").GetArrayLength();
        Assert.Equal(new long[] { 2, classes }, probabilities.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(2 * classes, probabilities.GetProperty("data").GetArrayLength());
        Assert.Equal(2, infer.GetProperty("parameters").GetProperty("prediction_ids").GetArrayLength());
    }

    [Fact]
    public async Task Predict_Requests_IdsAppearInThePredictionLogAndFeedbackAccepted()
    {
        await EnsureModelAsync();
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var response = await PredictOkAsync($"api/models/{Served}/predict", $$"""{"dataframe_records":{{Records}}}""");
            ids.AddRange(response.GetProperty("predictionIds").EnumerateArray().Select(id => id.GetString()!));
        }

        // The writer batches off the request path (≤ 1 s): poll storage until every id is there.
        var logged = await AppHostFixture.EventuallyAsync(async () =>
        {
            var records = new List<Mlops.Catalog.Monitoring.PredictionRecord>();
            await foreach (var record in app.Catalog.Predictions.ReadAsync(Served, from, DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                records.Add(record);
            }

            return ids.All(id => records.Any(r => r.PredictionId == id)) ? records : null;
        }, "the predictions in the log", TimeSpan.FromSeconds(30));
        var first = logged.Single(r => r.PredictionId == ids[0]);
        Assert.Equal(1, first.Version);
        Assert.Equal(12.8, first.Inputs["temp_max"].GetDouble());
        Assert.False(string.IsNullOrEmpty(first.Output.GetProperty("label").GetString()));

        var feedback = JsonSerializer.Serialize(ids.Take(4).Select(id => new { predictionId = id, actual = "rain" }));
        var (status, _, text) = await PostAsync($"api/models/{Served}/feedback", feedback);
        Assert.True(status == 200, $"feedback: {status} {text}");
    }

    [Fact]
    public async Task Predict_UnderLoadWhilePromotedThenRolledBack_NoFailedRequestAndVersionsSwitch()
    {
        const string Project = "serve-promote";
        var spec = WeatherData.FastSpec.Replace("\"task\"", "\"metric\":\"accuracy\",\"task\"", StringComparison.Ordinal);
        await TrainAsync(app, Project, spec, WeatherData.Months(6, 7, 8), expectPromoted: true);

        var clock = Stopwatch.StartNew();
        var answers = new ConcurrentQueue<(TimeSpan Started, int Version)>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                try
                {
                    using var response = await app.Http.PostAsync($"api/models/{Project}/predict", new StringContent(OneRow, Encoding.UTF8, "application/json"));
                    var text = await response.Content.ReadAsStringAsync();
                    if ((int)response.StatusCode != 200)
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {text}");
                        continue;
                    }

                    answers.Enqueue((started, JsonDocument.Parse(text).RootElement.GetProperty("model").GetProperty("version").GetInt32()));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
                {
                    failures.Enqueue(ex.GetType().Name + ": " + ex.Message);
                }
            }
        })).ToList();

        try
        {
            await AppHostFixture.EventuallyAsync(() => Task.FromResult<object?>(answers.Count >= 20 ? true : null), "load before the promotion", TimeSpan.FromSeconds(30));

            // A better dataset (all seasons) trains v2 and the gate promotes it while the workers keep predicting.
            var v2 = await TrainAsync(app, Project, spec, WeatherData.All, expectPromoted: true);
            Assert.Equal(2, v2.GetProperty("version").GetInt32());
            var promotedAt = clock.Elapsed;
            await AppHostFixture.EventuallyAsync(() => Task.FromResult<object?>(answers.Any(a => a.Started > promotedAt && a.Version == 2) ? true : null),
                "answers from v2 after the promotion", TimeSpan.FromSeconds(15));

            // A manual rollback through the alias route: served within the alias cache TTL, still without failures.
            var (status, _, text) = await PostAsync($"api/models/{Project}/aliases/production", """{"version":1,"reason":"rollback under load"}""");
            Assert.True(status == 200, $"rollback: {status} {text}");
            var rolledBackAt = clock.Elapsed;
            await AppHostFixture.EventuallyAsync(() => Task.FromResult<object?>(answers.Any(a => a.Started > rolledBackAt && a.Version == 1) ? true : null),
                "answers from v1 after the rollback", TimeSpan.FromSeconds(15));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        Assert.Empty(failures);
        Assert.Contains(answers, a => a.Version == 1);
        Assert.Contains(answers, a => a.Version == 2);
        var model = await app.Http.GetFromJsonAsync<JsonElement>($"api/models/{Project}");
        Assert.Equal(1, model.GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32());
    }
}
