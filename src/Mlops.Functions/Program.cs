using Mlops.Functions;
using Mlops.Functions.Hosting;

// Build step: `dotnet Mlops.Functions.dll --write-metadata DIR --host-json PATH` writes the function folders.
var writeIndex = Array.IndexOf(args, "--write-metadata");
if (writeIndex >= 0)
{
    var scriptRoot = args[writeIndex + 1];
    var hostJson = args[Array.IndexOf(args, "--host-json") + 1];
    var catalog = FunctionCatalog.FromAssembly(typeof(HandlerApp).Assembly);
    FunctionMetadataWriter.Write(catalog, scriptRoot, hostJson, "Mlops.Functions.dll");
    Console.WriteLine($"Wrote host.json and {catalog.Functions.Count} function folders to {scriptRoot}");
    return 0;
}

return await HandlerApp.RunAsync(args).ConfigureAwait(false);
