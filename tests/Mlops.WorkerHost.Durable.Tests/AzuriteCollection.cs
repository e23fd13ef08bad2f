using Mlops.Testing;

// Each class starts Azurite and engines of its own; run them one after the other on a small shared machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>Azurite and one engine on one hub with every scenario registered, shared by a test class.</summary>
public sealed class SharedEngineFixture : IAsyncLifetime
{
    private AzuriteFixture? _azurite;

    internal EngineHarness Harness { get; private set; } = null!;

    internal SdkInvoker Invoker { get; } = Scenarios.Register(new SdkInvoker());

    public async Task InitializeAsync()
    {
        _azurite = new AzuriteFixture();
        await _azurite.InitializeAsync();
        Harness = await EngineHarness.StartAsync(EngineHarness.Options(_azurite.ConnectionString, "SharedHub"), Invoker);
    }

    public async Task DisposeAsync()
    {
        await Harness.DisposeAsync();
        await _azurite!.DisposeAsync();
    }
}
