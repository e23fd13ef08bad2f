using Mlops.Testing;

namespace Mlops.Infra.Tests;

/// <summary>
/// The CI/CD workflows keep the promises docs/deploy.md makes. No YAML library is available to the
/// tests, so these are line-level checks of the parts that matter (plus: YAML forbids tabs).
/// </summary>
public sealed class WorkflowTests
{
    private static string Workflow(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, ".github", "workflows", name));

    [Theory]
    [InlineData("ci.yml")]
    [InlineData("deploy.yml")]
    [InlineData("deploy-environment.yml")]
    public void Workflow_AnyFile_IsIndentedWithSpacesOnly(string name)
    {
        var lines = Workflow(name).Split('\n');

        Assert.DoesNotContain(lines, l => l.Contains('\t'));
        Assert.Contains(lines, l => l.StartsWith("jobs:", StringComparison.Ordinal));
    }

    [Fact]
    public void Ci_OnPushAndPullRequest_RunsTheSuiteAndUploadsResultsAndPackage()
    {
        var ci = Workflow("ci.yml");

        Assert.Contains("pull_request:", ci, StringComparison.Ordinal);
        Assert.Contains("run: bash .ci/run", ci, StringComparison.Ordinal);
        Assert.Contains("TestResults/*.trx", ci, StringComparison.Ordinal);
        Assert.Contains("tools/publish artifacts/mlops-functions.zip", ci, StringComparison.Ordinal);
        Assert.Contains("node-version: \"20\"", ci, StringComparison.Ordinal);
        Assert.Contains("global-json-file: global.json", ci, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_LogsInWithOidcAndDeploysBicepThenZip()
    {
        var deploy = Workflow("deploy.yml");
        var environment = Workflow("deploy-environment.yml");

        Assert.Contains("id-token: write", deploy, StringComparison.Ordinal);
        Assert.Contains("id-token: write", environment, StringComparison.Ordinal);
        Assert.Contains("uses: azure/login@v2", environment, StringComparison.Ordinal);
        Assert.Contains("client-id: ${{ secrets.AZURE_CLIENT_ID }}", environment, StringComparison.Ordinal);
        Assert.DoesNotContain("client-secret", environment, StringComparison.Ordinal);
        var bicep = environment.IndexOf("az deployment group create", StringComparison.Ordinal);
        var zip = environment.IndexOf("az functionapp deployment source config-zip", StringComparison.Ordinal);
        Assert.True(bicep > 0 && zip > bicep, "infrastructure must be deployed before the zip");
        Assert.Contains("--template-file infra/main.bicep", environment, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_BlobEventSubscription_DeployedAfterTheZip()
    {
        var environment = Workflow("deploy-environment.yml");

        // The subscription's webhook needs the blobs_extension key, which exists only once the package has started.
        var zip = environment.IndexOf("az functionapp deployment source config-zip", StringComparison.Ordinal);
        var events = environment.IndexOf("--template-file infra/blob-events.bicep", StringComparison.Ordinal);
        Assert.True(zip > 0 && events > zip, "the Event Grid subscription must be deployed after the zip");
    }

    [Fact]
    public void Deploy_Production_RunsAfterDevInTheProductionEnvironment()
    {
        var deploy = Workflow("deploy.yml");

        Assert.Contains("workflow_dispatch:", deploy, StringComparison.Ordinal);
        Assert.Contains("workflows: [CI]", deploy, StringComparison.Ordinal);
        var production = deploy[deploy.IndexOf("  production:", StringComparison.Ordinal)..];
        Assert.Contains("needs: dev", production, StringComparison.Ordinal);
        Assert.Contains("environment: production", production, StringComparison.Ordinal);
        Assert.Contains("parameters-file: infra/env/prod.bicepparam", production, StringComparison.Ordinal);
        Assert.Contains("name: ${{ inputs.environment }}", Workflow("deploy-environment.yml"), StringComparison.Ordinal);
    }
}
