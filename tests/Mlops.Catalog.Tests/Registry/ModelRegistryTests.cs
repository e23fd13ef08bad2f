using Mlops.Catalog.Registry;
using Mlops.Core.Errors;
using Mlops.Testing;

namespace Mlops.Catalog.Tests.Registry;

[Collection(AzuriteCollection.Name)]
public sealed class ModelRegistryTests(AzuriteFixture azurite)
{
    private readonly CatalogServices _catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);

    private ModelRegistry Registry => _catalog.Models;

    [Fact]
    public async Task RegisterVersionAsync_TenConcurrentRuns_AllocatesOneToTenWithoutGapsOrDuplicates()
    {
        var model = Samples.Name("gapless");

        // Separate store instances, as separate Functions workers would have.
        var versions = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            CatalogServices.FromConnectionString(azurite.ConnectionString).Models.RegisterVersionAsync(Samples.Registration(model, $"run-{i}"))));

        Assert.Equal(Enumerable.Range(1, 10), versions.Select(v => v.Version).Order());
        Assert.All(versions, v => Assert.True(v.Created && v.Ready));
        Assert.Equal(10, versions.Select(v => v.RunId).Distinct().Count());
        var description = await Registry.GetModelAsync(model);
        Assert.Equal(Enumerable.Range(1, 10).Reverse(), description.Versions.Select(v => v.Version));
        foreach (var v in versions)
        {
            Assert.Equal(v.RunId, (await Registry.GetVersionAsync(model, v.Version)).Card.RunId);
        }
    }

    [Fact]
    public async Task RegisterVersionAsync_SameRunFiveTimesConcurrently_RegistersOneVersion()
    {
        var model = Samples.Name("idem");
        await Registry.RegisterVersionAsync(Samples.Registration(model, "earlier-run"));

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            CatalogServices.FromConnectionString(azurite.ConnectionString).Models.RegisterVersionAsync(Samples.Registration(model, "retried-run"))));

        Assert.All(results, r => Assert.Equal(2, r.Version));
        Assert.Single(results, r => r.Created);
        var description = await Registry.GetModelAsync(model);
        Assert.Equal([2, 1], description.Versions.Select(v => v.Version));
        Assert.True(description.Versions[0].Ready);
    }

    [Fact]
    public async Task RegisterVersionAsync_RetriedWithOtherBytes_KeepsFirstArtifactsAndVersion()
    {
        var model = Samples.Name("immutable");
        var first = await Registry.RegisterVersionAsync(Samples.Registration(model, "run-a", onnxText: "first"));

        var second = await Registry.RegisterVersionAsync(Samples.Registration(model, "run-a", onnxText: "second"));

        Assert.Equal((1, 1, false), (first.Version, second.Version, second.Created));
        Assert.Equal("first", (await Registry.ReadArtifactAsync(model, 1, "model.onnx")).ToString());
    }

    [Fact]
    public async Task RegisterVersionAsync_NewVersion_WritesArtifactsCardSignatureAndMetrics()
    {
        var model = Samples.Name("files");

        var version = await Registry.RegisterVersionAsync(Samples.Registration(model, "run-files"));

        var blobs = await _catalog.Account.Blobs.ListAsync("models", $"{model}/1/").Select(b => b.Path[(model.Length + 3)..]).ToListAsync();
        Assert.Equal(["metrics.json", "model-card.json", "model.onnx", "model.zip", "signature.json"], blobs);
        var card = (await Registry.ReadArtifactAsync(model, 1, "model-card.json")).ToObjectFromJson<ModelCard>(CatalogJson.Options)!;
        Assert.Equal((model, 1, "run-files", 1461L, 0.61), (card.Model, card.Version, card.RunId, card.Data.Rows, card.Metrics["macroF1"]));
        Assert.Equal("temp_max", card.Signature.Inputs[0].Name);
        Assert.True(card.Parity!.Passed);
        Assert.Contains("model.onnx", version.Card.Files);
        Assert.Contains("\"inputs\"", (await Registry.ReadArtifactAsync(model, 1, "signature.json")).ToString());
    }

    [Fact]
    public async Task RegisterVersionAsync_NoOnnxOrBadName_ThrowsInvalidInputNamingTheField()
    {
        var model = Samples.Name("invalid");
        var noOnnx = Samples.Registration(model, "r") with { Artifacts = [new ModelArtifact("model.zip", BinaryData.FromString("x"))] };
        var badName = Samples.Registration("Bad/Name", "r");

        var e1 = await Assert.ThrowsAsync<MlopsException>(() => Registry.RegisterVersionAsync(noOnnx));
        var e2 = await Assert.ThrowsAsync<MlopsException>(() => Registry.RegisterVersionAsync(badName));

        Assert.Equal(("artifacts", ErrorCode.InvalidInput), (e1.Violations[0].Field, e1.Code));
        Assert.Equal(("model", "pattern"), (e2.Violations[0].Field, e2.Violations[0].Rule));
    }

    [Fact]
    public async Task MoveAliasAsync_TwoConcurrentPromotionsWithSameETag_ExactlyOneWinsAndOneAuditEntry()
    {
        var model = Samples.Name("race");
        for (var i = 1; i <= 3; i++)
        {
            await Registry.RegisterVersionAsync(Samples.Registration(model, $"run-{i}"));
        }

        var initial = await Registry.MoveAliasAsync(new AliasMove { Model = model, Alias = "production", Version = 1, Actor = "pipeline", Reason = "first model" });
        var etag = initial.Alias.ETag;

        var attempts = await Task.WhenAll(new[] { 2, 3 }.Select(async v =>
        {
            try
            {
                return (Result: await CatalogServices.FromConnectionString(azurite.ConnectionString).Models.MoveAliasAsync(new AliasMove
                {
                    Model = model,
                    Alias = "production",
                    Version = v,
                    Actor = "pipeline",
                    Reason = $"v{v} beat champion",
                    ExpectedETag = etag,
                    RunId = $"run-{v}",
                }), Error: (MlopsException?)null);
            }
            catch (MlopsException ex)
            {
                return (Result: (AliasMoveResult?)null, Error: ex);
            }
        }));

        var winner = Assert.Single(attempts, a => a.Result is not null).Result!;
        var loser = Assert.Single(attempts, a => a.Error is not null).Error!;
        Assert.Equal(ErrorCode.Conflict, loser.Code);
        var now = await Registry.FindAliasAsync(model, "production");
        Assert.Equal(winner.Alias.Version, now!.Version);
        var audit = await Registry.ListAuditAsync(model).ToListAsync();
        Assert.Equal(2, audit.Count);
        Assert.Equal((1, winner.Alias.Version, $"run-{winner.Alias.Version}"), (audit[0].FromVersion, audit[0].ToVersion, audit[0].RunId));
        Assert.Equal((null, 1), (audit[1].FromVersion, audit[1].ToVersion));
    }

    [Fact]
    public async Task MoveAliasAsync_ToCurrentVersion_ChangesNothingAndWritesNoAudit()
    {
        var model = Samples.Name("noop");
        await Registry.RegisterVersionAsync(Samples.Registration(model, "run-1"));
        await Registry.MoveAliasAsync(new AliasMove { Model = model, Alias = "production", Version = 1, Actor = "pipeline", Reason = "promote" });

        var again = await Registry.MoveAliasAsync(new AliasMove { Model = model, Alias = "production", Version = 1, Actor = "pipeline", Reason = "retried activity" });

        Assert.False(again.Changed);
        Assert.Single(await Registry.ListAuditAsync(model).ToListAsync());
    }

    [Fact]
    public async Task MoveAliasAsync_RollbackWithExpectedVersion_MovesAndAuditsFromTo()
    {
        var model = Samples.Name("rollback");
        await Registry.RegisterVersionAsync(Samples.Registration(model, "run-1"));
        await Registry.RegisterVersionAsync(Samples.Registration(model, "run-2"));
        await Registry.MoveAliasAsync(new AliasMove { Model = model, Alias = "production", Version = 2, Actor = "pipeline", Reason = "promote", ExpectedVersion = 0 });

        var stale = await Assert.ThrowsAsync<MlopsException>(() => Registry.MoveAliasAsync(new AliasMove { Model = model, Alias = "production", Version = 1, Actor = "alice", Reason = "rollback", ExpectedVersion = 1 }));
        var rolled = await Registry.MoveAliasAsync(new AliasMove { Model = model, Alias = "production", Version = 1, Actor = "alice", Reason = "rollback", ExpectedVersion = 2, DriftReportId = "drift-1" });

        Assert.Equal(ErrorCode.Conflict, stale.Code);
        Assert.Equal((2, 1, "alice", "drift-1"), (rolled.PreviousVersion, rolled.Alias.Version, rolled.Audit!.Actor, rolled.Audit.DriftReportId));
        var model2 = await Registry.GetModelAsync(model);
        Assert.Equal(1, model2.Aliases["production"].Version);
    }

    [Fact]
    public async Task MoveAliasAsync_UnknownVersion_ThrowsNotFound()
    {
        var model = Samples.Name("missing");
        await Registry.RegisterVersionAsync(Samples.Registration(model, "run-1"));

        var ex = await Assert.ThrowsAsync<MlopsException>(() => Registry.MoveAliasAsync(new AliasMove { Model = model, Alias = "production", Version = 7, Actor = "a", Reason = "r" }));

        Assert.Equal(ErrorCode.NotFound, ex.Code);
    }

    [Fact]
    public async Task GetModelAsync_UnknownModel_ThrowsNotFound()
    {
        var ex = await Assert.ThrowsAsync<MlopsException>(() => Registry.GetModelAsync(Samples.Name("nobody")));

        Assert.Equal(ErrorCode.NotFound, ex.Code);
    }
}
