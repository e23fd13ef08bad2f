using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Registry;
using Mlops.Testing;

namespace Mlops.Catalog.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class CatalogServicesTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AddMlopsCatalog_AzureWebJobsStorageSetting_ResolvesWorkingServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build();
        using var provider = new ServiceCollection().AddMlopsCatalog(configuration).BuildServiceProvider();

        var registry = provider.GetRequiredService<ModelRegistry>();
        var model = Samples.Name("di");
        var version = await registry.RegisterVersionAsync(Samples.Registration(model, "run-di"));

        Assert.Equal(1, version.Version);
        Assert.Same(provider.GetRequiredService<CatalogServices>().Models, registry);
    }

    [Fact]
    public async Task InMemory_RegisterAndPromote_BehavesLikeAzure()
    {
        var catalog = CatalogServices.InMemory();
        var versions = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => catalog.Models.RegisterVersionAsync(Samples.Registration("mem-model", $"run-{i % 3}"))));

        Assert.Equal([1, 2, 3], versions.Select(v => v.Version).Distinct().Order());
        var moved = await catalog.Models.MoveAliasAsync(new AliasMove { Model = "mem-model", Alias = "production", Version = 3, Actor = "t", Reason = "r" });
        Assert.True(moved.Changed);
    }
}
