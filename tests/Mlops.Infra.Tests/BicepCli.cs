using System.Diagnostics;
using System.Reflection;

namespace Mlops.Infra.Tests;

/// <summary>The Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64); runs offline.</summary>
internal static class BicepCli
{
    private static readonly Lazy<string> PathLazy = new(Locate);

    /// <summary>Absolute path of the bicep executable.</summary>
    public static string Path => PathLazy.Value;

    /// <summary>Runs bicep with the arguments; fails the test if it does not finish within a minute.</summary>
    public static ProcessResult Run(string workingDirectory, params string[] arguments) =>
        ProcessRunner.Run(Path, arguments, workingDirectory, TimeSpan.FromMinutes(1));

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepCliPath").Value
            ?? throw new InvalidOperationException("BicepCliPath metadata is missing from the test assembly.");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The Bicep CLI is not at {path}: run 'dotnet restore tests/Mlops.Infra.Tests'.");
        }

        // The package is linux-x64 only; these tests run on Linux (CI and the dev box).
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Bicep CLI package restored here is linux-x64.");
        }

        // NuGet extracts the file without the execute bit for group/others and sometimes for the owner.
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }

        return path;
    }
}

/// <summary>Exit code and captured output of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>Runs a process to completion, capturing both streams.</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
