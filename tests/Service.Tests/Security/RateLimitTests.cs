using System.Net;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Security;

public sealed class RateLimitTests
{
    private const string UnknownJob = "/jobs/0199a2b4-0000-7000-8000-000000000000";

    [Fact]
    public async Task A_key_past_its_burst_gets_429_with_retry_after_and_other_keys_do_not()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings(("RateLimit:Burst", "3"), ("RateLimit:RequestsPerSecond", "1")));
        var (_, busy) = await api.CreateKeyAsync("tenant-a");
        var (_, quiet) = await api.CreateKeyAsync("tenant-a");
        using var busyClient = api.ClientWithKey(busy);
        using var quietClient = api.ClientWithKey(quiet);
        // A first request through the pipeline is slow (JIT): made with the other key, so the busy key's four requests
        // fall well inside one second and its bucket is not refilled between them.
        await (await quietClient.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "warm-up");

        for (var i = 0; i < 3; i++)
        {
            await (await busyClient.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, $"request {i + 1} of the burst");
        }
        using var limited = await busyClient.GetAsync(UnknownJob);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 2);

        // Per key: another key of the same tenant still gets through.
        await (await quietClient.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "the other key");
    }

    [Fact]
    public async Task Open_mode_has_no_key_and_no_limit()
    {
        await using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["RateLimit:Burst"] = "2", ["RateLimit:RequestsPerSecond"] = "1" });
        using var client = api.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await (await client.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, $"request {i + 1}");
        }
    }
}
