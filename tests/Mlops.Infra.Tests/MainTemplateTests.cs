using System.Text.Json.Nodes;
using Mlops.Testing;

namespace Mlops.Infra.Tests;

/// <summary>Compiles infra/main.bicep once for the assertions below.</summary>
public sealed class CompiledMainTemplate
{
    public CompiledMainTemplate()
    {
        var result = BicepCli.Run(RepoPaths.Root, "build", "infra/main.bicep", "--stdout");
        Assert.True(result.ExitCode == 0, result.ToString());
        Template = ArmTemplate.Parse(result.StandardOutput);
    }

    internal ArmTemplate Template { get; }
}

/// <summary>The security and wiring the deployment promises, asserted on the compiled ARM JSON.</summary>
public sealed class MainTemplateTests(CompiledMainTemplate compiled) : IClassFixture<CompiledMainTemplate>
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private ArmTemplate Template => compiled.Template;

    private JsonNode Site => Template.Single("Microsoft.Web/sites").Properties!;

    private Dictionary<string, string> AppSettings =>
        Site["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => (string)s!["value"]!, StringComparer.Ordinal);

    [Fact]
    public void StorageAccount_Compiled_AllowsOnlyEntraIdOverHttpsTls12()
    {
        var storage = Template.Single("Microsoft.Storage/storageAccounts").Properties!;

        Assert.False((bool)storage["allowSharedKeyAccess"]!);
        Assert.False((bool)storage["allowBlobPublicAccess"]!);
        Assert.True((bool)storage["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string?)storage["minimumTlsVersion"]);
        Assert.True((bool)storage["defaultToOAuthAuthentication"]!);
        Assert.False((bool)storage["allowCrossTenantReplication"]!);
    }

    [Fact]
    public void BlobContainers_Compiled_ArePrivate()
    {
        var containers = Template.Single("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal("None", (string?)containers.Properties!["publicAccess"]);
    }

    [Fact]
    public void BlobService_Compiled_KeepsDeletedBlobsAndContainersRecoverable()
    {
        var blobService = Template.Single("Microsoft.Storage/storageAccounts/blobServices").Properties!;

        Assert.True((bool)blobService["deleteRetentionPolicy"]!["enabled"]!);
        Assert.True((bool)blobService["containerDeleteRetentionPolicy"]!["enabled"]!);
    }

    [Fact]
    public void StorageModule_Compiled_CreatesTheContainersOfDesignSection4()
    {
        var containers = ModuleArrayArgument("storage", "containerNames");

        Assert.Equal(["incoming", "datasets", "quarantine", "models", "predictions", "reports", "runs", "features", "feature-sources"], containers);
        // The container loop covers the data containers plus the deployment package container.
        var loop = Template.Single("Microsoft.Storage/storageAccounts/blobServices/containers").Json;
        Assert.Contains("parameters('containerNames')", (string)loop["name"]!, StringComparison.Ordinal);
        Assert.Contains("parameters('deploymentContainerName')", (string)loop["name"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageModule_Compiled_CreatesTheTablesOfDesignSection4()
    {
        var tables = ModuleArrayArgument("storage", "tableNames");

        Assert.Equal(["projects", "datasets", "runs", "projectruns", "models", "feedback", "drift", "monitoring", "featureviews", "featuresources", "featuresonline"], tables);
        Assert.All(tables, t => Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,62}$", t));
        var loop = Template.Single("Microsoft.Storage/storageAccounts/tableServices/tables").Json;
        Assert.Contains("parameters('tableNames')", (string)loop["name"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_Compiled_HttpsOnlyTls12NoFtp()
    {
        Assert.True((bool)Site["httpsOnly"]!);
        Assert.Equal("1.2", (string?)Site["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("1.2", (string?)Site["siteConfig"]!["scmMinTlsVersion"]);
        Assert.Equal("Disabled", (string?)Site["siteConfig"]!["ftpsState"]);
        var policies = Template.All("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False((bool)p.Properties!["allow"]!));
    }

    [Fact]
    public void FunctionApp_Compiled_RunsAsUserAssignedIdentity()
    {
        var site = Template.Single("Microsoft.Web/sites").Json;

        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Single(site["identity"]!["userAssignedIdentities"]!.AsObject());
        Assert.Single(Template.All("Microsoft.ManagedIdentity/userAssignedIdentities"));
    }

    [Fact]
    public void FunctionApp_Compiled_IsDotnetIsolatedOnLinuxFlexConsumption()
    {
        var site = Template.Single("Microsoft.Web/sites").Json;
        var plan = Template.Single("Microsoft.Web/serverfarms").Json;

        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True((bool)plan["properties"]!["reserved"]!);
        var runtime = Site["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", (string?)runtime["name"]);
        Assert.Equal("10.0", (string?)runtime["version"]);
        // Flex Consumption rejects these settings: the worker runtime comes from functionAppConfig.runtime.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", AppSettings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", AppSettings.Keys);
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE", AppSettings.Keys);
    }

    [Fact]
    public void FunctionApp_Compiled_DeploysFromPrivateContainerWithItsIdentity()
    {
        var storage = Site["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("blobContainer", (string?)storage["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)storage["authentication"]!["type"]);
        Assert.NotNull(storage["authentication"]!["userAssignedIdentityResourceId"]);
    }

    [Fact]
    public void FunctionApp_Compiled_DefaultsToLargestInstanceMemoryForTraining()
    {
        var memory = Template.Root["parameters"]!["instanceMemoryMB"]!;

        Assert.Equal(4096, (int)memory["defaultValue"]!);
        Assert.Equal([512, 2048, 4096], memory["allowedValues"]!.AsArray().Select(v => (int)v!));
    }

    [Fact]
    public void FunctionApp_Compiled_ReachesStorageWithIdentityBasedConnection()
    {
        var settings = AppSettings;

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains("storageAccountName", settings["AzureWebJobsStorage__accountName"], StringComparison.Ordinal);
        Assert.Contains("identityClientId", settings["AzureWebJobsStorage__clientId"], StringComparison.Ordinal);
        // Durable Functions needs all three service URIs for an identity-based connection.
        Assert.Contains("blobEndpoint", settings["AzureWebJobsStorage__blobServiceUri"], StringComparison.Ordinal);
        Assert.Contains("queueEndpoint", settings["AzureWebJobsStorage__queueServiceUri"], StringComparison.Ordinal);
        Assert.Contains("tableEndpoint", settings["AzureWebJobsStorage__tableServiceUri"], StringComparison.Ordinal);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // no connection string anywhere
        Assert.DoesNotContain(settings.Values, v => v.Contains("AccountKey", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void FunctionApp_Compiled_SendsTelemetryToApplicationInsightsWithEntraId()
    {
        var settings = AppSettings;

        Assert.Contains("appInsightsConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        var appInsights = Template.Single("Microsoft.Insights/components").Properties!;
        Assert.True((bool)appInsights["DisableLocalAuth"]!);
        Assert.Contains("Microsoft.OperationalInsights/workspaces", (string)appInsights["WorkspaceResourceId"]!, StringComparison.Ordinal);
        Assert.Single(Template.All("Microsoft.OperationalInsights/workspaces"));
    }

    [Fact]
    public void FunctionApp_Compiled_NamesTheDurableTaskHub()
    {
        Assert.Contains("taskHubName", AppSettings["DURABLE_TASK_HUB_NAME"], StringComparison.Ordinal);
        var hub = (string)Template.Root["variables"]!["taskHubName"]!;
        Assert.Contains("mlops", hub, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleAssignments_Compiled_GrantBlobQueueTableDataRolesToTheAppIdentity()
    {
        var storageRoles = Template.All("Microsoft.Authorization/roleAssignments").Single(r => r.Module == "storage-roles");
        var roleIds = storageRoles.Template["variables"]!.AsObject().Select(v => v.Value?.GetValue<string>()).ToList();

        Assert.Contains(StorageBlobDataOwner, roleIds);
        Assert.Contains(StorageQueueDataContributor, roleIds);
        Assert.Contains(StorageTableDataContributor, roleIds);
        Assert.Equal(3, (int)storageRoles.Json["copy"]!["count"]!.ToString().Count(c => c == ',') + 1);
        Assert.Contains("roleDefinitions", (string)storageRoles.Properties!["roleDefinitionId"]!, StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", (string?)ModuleArgumentOrDefault(storageRoles, "principalType"));
        var wiring = (string)Template.Module("storage-roles")["properties"]!["parameters"]!["principalId"]!["value"]!;
        Assert.Contains("'identity'", wiring, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleAssignments_Compiled_LetTheIdentityPublishTelemetry()
    {
        var publisher = Template.All("Microsoft.Authorization/roleAssignments").Single(r => r.Module == "monitoring");

        Assert.Equal(MonitoringMetricsPublisher, (string?)publisher.Variable("monitoringMetricsPublisher"));
    }

    [Fact]
    public void AppServiceAuthentication_Compiled_GuardsTheApiAndDashboardButNotTheHealthProbes()
    {
        var auth = Template.Single("Microsoft.Web/sites/config");
        Assert.Contains("authsettingsV2", (string)auth.Json["name"]!, StringComparison.Ordinal);
        var validation = auth.Properties!["globalValidation"]!;
        Assert.True((bool)validation["requireAuthentication"]!);
        // Without a client id the app answers 401 rather than opening up.
        Assert.Contains("Return401", (string)validation["unauthenticatedClientAction"]!, StringComparison.Ordinal);
        var excluded = validation["excludedPaths"]!.AsArray().Select(p => (string)p!).ToList();
        Assert.Equal(["/api/health", "/api/v2/health/ready", "/runtime/webhooks/blobs"], excluded);
        Assert.DoesNotContain(excluded, p => p.StartsWith("/api/ui", StringComparison.Ordinal));
        var aad = auth.Properties!["identityProviders"]!["azureActiveDirectory"]!;
        Assert.Contains("authClientId", (string)aad["registration"]!["clientId"]!, StringComparison.Ordinal);
        Assert.True((bool)auth.Properties!["httpSettings"]!["requireHttps"]!);
        Assert.Contains("authClientId", (string)Template.Module("function-app")["properties"]!["parameters"]!["authClientId"]!["value"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionAppModule_Compiled_WaitsForTheStorageRoles()
    {
        var dependsOn = Template.Module("function-app")["dependsOn"]!.AsArray().Select(d => (string)d!);

        Assert.Contains(dependsOn, d => d.Contains("'storage-roles'", StringComparison.Ordinal));
    }

    private List<string> ModuleArrayArgument(string module, string parameter)
    {
        var value = (string)Template.Module(module)["properties"]!["parameters"]![parameter]!["value"]!;
        // Wired from a main-template variable: "[variables('dataContainers')]".
        var node = Resolve(value);
        return node.AsArray().Select(v => (string)v!).ToList();
    }

    // Follows "[variables('x')]" and "[variables('x').property]" (how loadJsonContent compiles) to the literal value.
    private System.Text.Json.Nodes.JsonNode Resolve(string expression)
    {
        var variable = expression.Split('\'')[1];
        var node = Template.Root["variables"]![variable]!;
        var rest = expression[(expression.IndexOf(')', StringComparison.Ordinal) + 1)..].TrimEnd(']');
        if (node is System.Text.Json.Nodes.JsonValue inner && ((string)inner!).StartsWith("[variables('", StringComparison.Ordinal))
        {
            node = Resolve((string)inner!);
        }

        return rest.StartsWith('.') ? node[rest[1..]]! : node;
    }

    private static string? ModuleArgumentOrDefault(ArmResource resource, string parameter) =>
        (string?)resource.Template["parameters"]![parameter]!["defaultValue"];
}
