using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.OpenApi;

/// <summary>
/// The served OpenAPI document against the committed snapshot <c>docs/openapi.json</c>, and the Redocly recommended
/// rules it once broke, checked by hand (the full lint: <c>npx -y @redocly/cli@latest lint docs/openapi.json</c>).
/// After changing an endpoint, regenerate the snapshot with
/// <c>UPDATE_OPENAPI_SNAPSHOT=1 dotnet test tests/Service.Tests --filter FullyQualifiedName~OpenApiDocumentTests</c>
/// and review its diff.
/// </summary>
public sealed class OpenApiDocumentTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    private static readonly string SnapshotPath = typeof(OpenApiDocumentTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OpenApiSnapshotPath").Value!;

    /// <summary>Readable: quotes and backticks as they are, not \u0027 and \u0060.</summary>
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public async Task The_served_document_matches_the_committed_snapshot()
    {
        var served = (await ServedDocument()).ToJsonString(Indented) + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI_SNAPSHOT") == "1")
        {
            await File.WriteAllTextAsync(SnapshotPath, served);
        }

        Assert.True(File.Exists(SnapshotPath), $"No snapshot at {SnapshotPath}; make it with UPDATE_OPENAPI_SNAPSHOT=1.");
        var committed = await File.ReadAllTextAsync(SnapshotPath);
        Assert.True(committed.ReplaceLineEndings("\n") == served,
            $"/openapi/v1.json differs from {SnapshotPath}. If the change is intended, regenerate it (UPDATE_OPENAPI_SNAPSHOT=1, see this class) and commit it.");
    }

    [Fact]
    public async Task Every_operation_needs_a_key_by_a_declared_scheme()
    {
        var document = await ServedDocument();
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("bearer", schemes["bearerAuth"]!["scheme"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", schemes["apiKeyHeader"]!["name"]!.GetValue<string>());
        var required = document["security"]!.AsArray().SelectMany(requirement => requirement!.AsObject().Select(entry => entry.Key)).ToList();
        Assert.Equal(["bearerAuth", "apiKeyHeader"], required);
        foreach (var (name, operation) in Operations(document))
        {
            // Redocly's security-defined: the global requirement covers an operation unless it overrides it with none.
            Assert.False(operation["security"] is JsonArray { Count: 0 }, $"{name} overrides security with none");
        }
    }

    [Fact]
    public async Task Servers_tags_and_operations_are_fully_described()
    {
        var document = await ServedDocument();
        // no-server-trailing-slash (a bare "/", the relative root, is allowed) and no-server-example.com (no localhost).
        Assert.All(document["servers"]!.AsArray(), server => Assert.Equal("/", server!["url"]!.GetValue<string>()));
        Assert.All(document["tags"]!.AsArray(), tag => Assert.False(string.IsNullOrWhiteSpace(tag!["description"]?.GetValue<string>()), $"tag {tag["name"]} has no description"));
        var operations = Operations(document).ToList();
        Assert.NotEmpty(operations);
        foreach (var (name, operation) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(operation["operationId"]?.GetValue<string>()), $"{name}: operationId");
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{name}: summary");
            var responses = operation["responses"]!.AsObject();
            Assert.Contains(responses, response => response.Key.StartsWith('2') || response.Key == "101");   // 101: the /live WebSocket
            foreach (var (status, response) in responses.Where(response => response.Key[0] is '4' or '5'))
            {
                // Every problem answer names the stable codes it can carry.
                Assert.Contains("`code`", response!["description"]!.GetValue<string>());
            }
            Assert.Contains("401", responses.Select(r => r.Key));
            Assert.Contains("429", responses.Select(r => r.Key));
            Assert.NotNull(responses["429"]!["headers"]?["Retry-After"]);
        }
    }

    [Fact]
    public async Task The_upload_form_documents_each_field_and_requires_only_the_file()
    {
        var form = (await ServedDocument())["components"]!["schemas"]!["UploadForm"]!;
        Assert.Equal(["file"], form["required"]!.AsArray().Select(field => field!.GetValue<string>()));
        Assert.Equal(["file", "callbackUrl", "metadata", "channels", "channelNames"], form["properties"]!.AsObject().Select(p => p.Key));
        Assert.All(form["properties"]!.AsObject(), field => Assert.False(string.IsNullOrWhiteSpace(field.Value!["description"]?.GetValue<string>()), field.Key));
    }

    private async Task<JsonNode> ServedDocument()
    {
        using var client = api.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
    }

    private static IEnumerable<(string Name, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Select(method => ($"{method.Key.ToUpperInvariant()} {path.Key}", method.Value!.AsObject())));
}
