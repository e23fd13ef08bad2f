using Mlops.Testing;

namespace Mlops.Infra.Tests;

/// <summary>Every Bicep and parameter file compiles and passes the linter with bicepconfig.json: no errors, no warnings.</summary>
public sealed class BicepLintTests
{
    private static string InfraDir => Path.Combine(RepoPaths.Root, "infra");

    public static TheoryData<string> BicepFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in InfraFiles())
        {
            data.Add(file);
        }

        return data;
    }

    private static List<string> InfraFiles() =>
        Directory.EnumerateFiles(InfraDir, "*.bicep*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Lint_EveryInfraFile_NoErrorsOrWarnings(string relativePath)
    {
        var result = BicepCli.Run(RepoPaths.Root, "lint", relativePath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.StandardError.Trim().Length == 0, "diagnostics: " + result);
        Assert.True(result.StandardOutput.Trim().Length == 0, "diagnostics: " + result);
    }

    public static TheoryData<string> DeployableFiles()
    {
        // What a deployment compiles: main.bicep and each environment's parameters (modules are
        // compiled inside main, and lint above compiles each of them on its own as well).
        var data = new TheoryData<string>();
        foreach (var file in InfraFiles().Where(f => f == "infra/main.bicep" || f.EndsWith(".bicepparam", StringComparison.Ordinal)))
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeployableFiles))]
    public void Build_DeployableFile_CompilesWithoutDiagnostics(string relativePath)
    {
        var verb = relativePath.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build";

        var result = BicepCli.Run(RepoPaths.Root, verb, relativePath, "--stdout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.StandardError.Trim().Length == 0, "diagnostics: " + result);
        Assert.Contains("$schema", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void InfraFolder_HasMainModulesAndOneParameterFilePerEnvironment()
    {
        var files = InfraFiles();

        Assert.Contains("infra/main.bicep", files);
        Assert.Contains("infra/env/dev.bicepparam", files);
        Assert.Contains("infra/env/prod.bicepparam", files);
        Assert.True(files.Count(f => f.StartsWith("infra/modules/", StringComparison.Ordinal)) >= 4, string.Join(", ", files));
    }

    [Fact]
    public void Lint_UnusedParameterUnderRepoConfig_IsAnError()
    {
        // Proves bicepconfig.json is in force: the same file with the repo's config must fail.
        var dir = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            File.Copy(Path.Combine(RepoPaths.Root, "bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
            File.WriteAllText(Path.Combine(dir.FullName, "bad.bicep"), "param unused string\n");

            var result = BicepCli.Run(dir.FullName, "lint", "bad.bicep");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Error no-unused-params", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("infra/env/dev.bicepparam", "dev")]
    [InlineData("infra/env/prod.bicepparam", "prod")]
    public void BuildParams_EnvironmentFile_NamesItsEnvironment(string relativePath, string environment)
    {
        var result = BicepCli.Run(RepoPaths.Root, "build-params", relativePath, "--stdout");

        Assert.True(result.ExitCode == 0, result.ToString());
        var outer = System.Text.Json.Nodes.JsonNode.Parse(result.StandardOutput)!;
        var parameters = System.Text.Json.Nodes.JsonNode.Parse((string)outer["parametersJson"]!)!["parameters"]!;
        Assert.Equal(environment, (string?)parameters["environmentName"]!["value"]);
    }
}
