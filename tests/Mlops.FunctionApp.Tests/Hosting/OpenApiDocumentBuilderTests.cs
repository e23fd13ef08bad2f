using System.Text.Json;
using Mlops.FunctionApp.Hosting;

namespace Mlops.FunctionApp.Tests.Hosting;

/// <summary>The OpenAPI document is built from the functions' own attributes: no route goes undocumented or mis-tagged.</summary>
public sealed class OpenApiDocumentBuilderTests
{
    private static JsonElement Paths()
    {
        using var document = JsonDocument.Parse(OpenApiDocumentBuilder.Build(typeof(OpenApiDocumentBuilder).Assembly, "test"));
        return document.RootElement.GetProperty("paths").Clone();
    }

    [Fact]
    public void Build_MonitoringRoutes_DocumentedUnderMonitoringTag()
    {
        var paths = Paths();

        Assert.Equal("Monitoring", paths.GetProperty("/api/models/{name}/feedback").GetProperty("post").GetProperty("tags")[0].GetString());
        Assert.Equal("Monitoring", paths.GetProperty("/api/models/{name}/monitoring").GetProperty("get").GetProperty("tags")[0].GetString());
    }

    [Fact]
    public void Build_EveryOperation_HasASummaryAndResponses()
    {
        foreach (var path in Paths().EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), $"{operation.Name} {path.Name} has no summary");
                Assert.True(operation.Value.GetProperty("responses").EnumerateObject().Any(), $"{operation.Name} {path.Name} has no responses");
            }
        }
    }
}
