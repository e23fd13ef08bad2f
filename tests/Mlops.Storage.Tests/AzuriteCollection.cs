using Mlops.Testing;

namespace Mlops.Storage.Tests;

/// <summary>One Azurite for every Azure-backed test class of this project.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
