using System.Text;
using System.Text.Json;
using Mlops.Functions.Hosting;

namespace Mlops.Functions.Tests;

/// <summary>The handler reads the host's payload with its quirks (spec §2.1-§2.2): strings quoted twice, blobs base64.</summary>
public class InvocationPayloadTests
{
    private static InvocationPayload Parse(string json) => InvocationPayload.Parse(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void MetadataString_HostQuotedString_IsUnquotedOnce()
    {
        var payload = Parse("""{"Data":{},"Metadata":{"project":"\"weather\"","DequeueCount":"4"}}""");

        Assert.Equal("weather", payload.MetadataString("project"));
        Assert.Equal("4", payload.MetadataString("DequeueCount"));
    }

    [Fact]
    public void ReadBlob_Base64DataAndQuotedTokens_DecodesBoth()
    {
        var content = Encoding.UTF8.GetBytes("a,b\n1,2\n");
        var json = $$$"""
            {"Data":{"blob":"{{{Convert.ToBase64String(content)}}}"},
             "Metadata":{"Uri":"\"http://127.0.0.1:1/devstoreaccount1/incoming/weather/x.csv\"","project":"\"weather\"","name":"\"x.csv\"",
                         "Properties":{"ETag":"\"0x8D\"","Length":8} } }
            """;
        var blob = Parse(json).ReadBlob("blob", ["project", "name"]);

        Assert.Equal(content, blob.Content);
        Assert.Equal("weather", blob.PathTokens["project"]);
        Assert.Equal("x.csv", blob.PathTokens["name"]);
        Assert.EndsWith("/incoming/weather/x.csv", blob.Uri);
        Assert.Equal("\"0x8D\"", blob.ETag);
    }

    [Fact]
    public void ReadHttpRequest_PayloadRequest_KeepsBodyRouteQueryAndHeaders()
    {
        var json = """
            {"Data":{"req":{"Url":"http://localhost:7071/api/projects/weather/datasets?x=1","Method":"POST",
              "Query":{"x":"1"},"Headers":{"Content-Type":["text/csv"]},"Params":{"project":"weather"},"Body":"a,b\n1,2\n"}},
             "Metadata":{}}
            """;
        var req = Parse(json).ReadHttpRequest("req");

        Assert.Equal("POST", req.Method);
        Assert.Equal("weather", req.Route("project"));
        Assert.Equal("1", req.Query["x"]);
        Assert.Equal("text/csv", req.MediaType);
        Assert.Equal("a,b\n1,2\n", req.BodyText);
        Assert.Equal("http://localhost:7071", req.BaseUrl);
    }

    [Fact]
    public void ReadHttpRequest_OctetStreamBody_IsBase64Decoded()
    {
        var bytes = new byte[] { 0, 1, 2, 255 };
        var json = $$$"""
            {"Data":{"req":{"Url":"http://h/api/x","Method":"POST","Query":{},"Headers":{"Content-Type":["application/octet-stream"]},
              "Body":"{{{Convert.ToBase64String(bytes)}}}"}},"Metadata":{}}
            """;

        Assert.Equal(bytes, Parse(json).ReadHttpRequest("req").Body);
    }

    [Fact]
    public void Parse_BodyWithoutData_Throws() =>
        Assert.Throws<FormatException>(() => Parse("""{"Metadata":{}}"""));
}
