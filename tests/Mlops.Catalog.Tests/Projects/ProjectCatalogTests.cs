using Mlops.Core.Errors;
using Mlops.Testing;

namespace Mlops.Catalog.Tests.Projects;

[Collection(AzuriteCollection.Name)]
public sealed class ProjectCatalogTests(AzuriteFixture azurite)
{
    private readonly CatalogServices _catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);

    [Fact]
    public async Task PutAsync_ChangedSpec_StoresNewVersionAndKeepsOld()
    {
        var project = Samples.Name("proj");

        var v1 = await _catalog.Projects.PutAsync(project, """{"target":"weather","task":"multiclass"}""");
        var same = await _catalog.Projects.PutAsync(project, """{"task":"multiclass","target":"weather","seed":42}""");
        var v2 = await _catalog.Projects.PutAsync(project, """{"target":"weather","task":"multiclass","seed":7}""");

        Assert.Equal((1, true), (v1.Version, v1.Created));
        Assert.Equal((1, false), (same.Version, same.Created));
        Assert.Equal((2, true, 7), (v2.Version, v2.Created, v2.Spec.Seed));
        Assert.Equal(2, (await _catalog.Projects.GetAsync(project)).Version);
        Assert.Equal(42, (await _catalog.Projects.GetAsync(project, 1)).Spec.Seed);
        Assert.Equal("macroF1", v1.Spec.Metric);
        Assert.Equal(project, v1.ModelName);
        Assert.Equal([1, 2], await _catalog.Projects.ListVersionsAsync(project).Select(v => v.Version).ToListAsync());
    }

    [Fact]
    public async Task PutAsync_ConcurrentDifferentSpecs_GaplessVersions()
    {
        var project = Samples.Name("concurrent");

        var versions = await Task.WhenAll(Enumerable.Range(1, 5).Select(seed =>
            CatalogServices.FromConnectionString(azurite.ConnectionString).Projects.PutAsync(project, $$"""{"target":"y","task":"regression","seed":{{seed}}}""")));

        Assert.Equal([1, 2, 3, 4, 5], versions.Select(v => v.Version).Order());
    }

    [Fact]
    public async Task PutAsync_InvalidSpecOrName_ThrowsInvalidInputNamingField()
    {
        var badSpec = await Assert.ThrowsAsync<MlopsException>(() => _catalog.Projects.PutAsync(Samples.Name("p"), """{"target":"y","task":"regression","holdoutFraction":0.9}"""));
        var badName = await Assert.ThrowsAsync<MlopsException>(() => _catalog.Projects.PutAsync("../etc", """{"target":"y","task":"regression"}"""));

        Assert.Equal("holdoutFraction", badSpec.Violations[0].Field);
        Assert.Equal("project", badName.Violations[0].Field);
    }

    [Fact]
    public async Task GetAsync_UnknownProject_ThrowsNotFound()
    {
        var ex = await Assert.ThrowsAsync<MlopsException>(() => _catalog.Projects.GetAsync(Samples.Name("none")));

        Assert.Equal(ErrorCode.NotFound, ex.Code);
    }

    [Fact]
    public async Task ListProjectsAsync_AfterPuts_ListsEachProjectOnce()
    {
        var a = Samples.Name("list-a");
        var b = Samples.Name("list-b");

        await _catalog.Projects.PutAsync(a, """{"target":"y","task":"regression"}""");
        await _catalog.Projects.PutAsync(a, """{"target":"y","task":"regression","seed":1}""");
        await _catalog.Projects.PutAsync(a, """{"target":"y","task":"regression","seed":1}""");
        await _catalog.Projects.PutAsync(b, """{"target":"y","task":"regression"}""");
        var names = await _catalog.Projects.ListProjectsAsync().ToListAsync();

        Assert.Single(names, n => n == a);
        Assert.Single(names, n => n == b);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }
}
