using System.Globalization;

namespace Mlops.WorkerHost;

/// <summary>The <c>func start</c> switches this host understands.</summary>
internal static class CommandLine
{
    public static FunctionsHostOptions? Parse(string[] args)
    {
        var list = args.SkipWhile(a => a == "start").ToList();
        string root = Directory.GetCurrentDirectory();
        int? port = null;
        bool verbose = false, auth = false;
        for (var i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case "--script-root" when i + 1 < list.Count:
                    root = list[++i];
                    break;
                case "--port" or "-p" when i + 1 < list.Count:
                    port = int.Parse(list[++i], CultureInfo.InvariantCulture);
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--enable-auth" or "--enableAuth":
                    auth = true;
                    break;
                default:
                    return null;
            }
        }

        return new FunctionsHostOptions { ScriptRoot = root, Port = port, Verbose = verbose, EnforceKeys = auth };
    }
}
