using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Security;

/// <summary>GET /jobs/{id} shows the client neither the credentials in its callback URL nor the worker's host name.</summary>
public sealed class JobViewSecretsTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Callback_user_info_query_and_fragment_and_the_worker_name_are_not_shown()
    {
        using var client = api.CreateClient();
        using var form = EmbeddedApi.Upload(GeneratedAudio.Tone(1),
            callbackUrl: "https://crm-user:pa55word@crm.example.com:8443/hooks/emotion?token=s3cret-token#frag");
        using var response = await client.PostAsync("/jobs", form);
        var id = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();

        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        var json = job.ToJsonString();

        Assert.Equal("https://crm.example.com:8443/hooks/emotion", job["callbackUrl"]!.GetValue<string>());
        Assert.DoesNotContain("pa55word", json);
        Assert.DoesNotContain("s3cret-token", json);
        Assert.False(job.ContainsKey("worker"), json);
        var row = await api.ReadJobRowAsync(id);
        Assert.NotNull(row.WorkerName);   // still kept, for operators
        Assert.Contains("token=s3cret-token", row.CallbackUrl);   // still stored, for delivery
    }
}
