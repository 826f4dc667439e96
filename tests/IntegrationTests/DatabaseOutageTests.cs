using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;
using static SpeechEmotion.IntegrationTests.Infrastructure.ServiceUnavailableAssertions;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// PostgreSQL restarting and PostgreSQL gone for a minute, on a private server (<see cref="PrivateServers"/>) that
/// these tests stop and start. Nothing may answer 500, no valid clip may fail, no attempt may be spent on the outage,
/// and no recording may be left without its job.
/// </summary>
public sealed class DatabaseOutageTests(PrivateServers servers) : IClassFixture<PrivateServers>
{
    [Fact]
    public async Task Database_restart_is_ridden_out_by_the_api_and_the_workers()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        system.StartWorker("worker");
        await system.WaitForListeningWorkersAsync(1);
        var clip = TestAudio.SpeechLikeWav(seconds: 3);

        // Clients keep uploading and polling while the database goes down and comes back.
        var answers = new ConcurrentBag<string>();
        var submitted = new ConcurrentBag<Guid>();
        using var stopLoad = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                var sent = clock.Elapsed;
                using var posted = await system.PostJobAsync(clip, "speech.wav");
                var body = await posted.Content.ReadAsStringAsync();
                answers.Add($"POST {(int)posted.StatusCode} {body} (sent at {sent.TotalSeconds:0.00} s, answered at {clock.Elapsed.TotalSeconds:0.00} s)");
                if (posted.StatusCode != HttpStatusCode.Accepted) continue;
                var id = JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
                submitted.Add(id);
                using var polled = await system.Client.GetAsync($"/jobs/{id}");
                answers.Add($"GET {(int)polled.StatusCode} {await polled.Content.ReadAsStringAsync()}");
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Many idle connections in the Api's pool, as a busy Api has: after the restart every one of them is dead, and
        // no request may spend its retries on them.
        await Task.WhenAll(Enumerable.Range(0, 24).Select(async _ =>
        {
            using var polled = await system.Client.GetAsync($"/jobs/{Guid.NewGuid()}");
            Assert.Equal(HttpStatusCode.NotFound, polled.StatusCode);
        }));
        var stopped = clock.Elapsed;
        await servers.Postgres.RestartAsync(downtime: TimeSpan.FromMilliseconds(600));
        var restarted = clock.Elapsed;
        Console.WriteLine($"PostgreSQL stopped at {stopped.TotalSeconds:0.00} s, back at {restarted.TotalSeconds:0.00} s");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stopLoad.CancelAsync();
        await load;

        // The Api retries a database operation 3 times over at least 4 s (Database:MaxRetryCount; EF Core waits 0, 1
        // and 3 s, up to 10 % more). A restart shorter than that is ridden out; one that takes longer may answer 503
        // with Retry-After, never 500. (A loaded CI run once answered one POST 503 here; how long that restart took
        // was not recorded then, so the figure is now in the message.)
        var rideOut = restarted - stopped < TimeSpan.FromSeconds(3.5);
        var failures = answers.Where(answer => !answer.StartsWith("POST 202") && !answer.StartsWith("GET 200")
                                               && (rideOut || !IsServiceUnavailable(answer))).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {answers.Count} answers were errors (restart {(restarted - stopped).TotalSeconds:0.00} s):{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(5))}");
        Assert.True(submitted.Count >= 3, $"only {submitted.Count} uploads went through");
        foreach (var id in submitted)
        {
            var job = await system.WaitForFinishedAsync(id);
            Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"{job.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
            Assert.Equal(1, (await system.ReadJobRowAsync(id)).Attempts);
        }
        Assert.Equal(0, await system.CountOrphanRecordingsAsync());
    }

    private static bool IsServiceUnavailable(string answer) =>
        answer.Split(' ')[1] == "503" && answer.Contains("\"code\":\"service_unavailable\"", StringComparison.Ordinal);

    /// <summary>About 75 s: the database is away for a full minute.</summary>
    [Fact]
    [Trait("Duration", "Long")]
    public async Task Workers_wait_out_a_minute_without_database_and_fail_no_job()
    {
        var outage = TimeSpan.FromSeconds(60);
        await using var system = await DistributedSystem.StartAsync(servers);
        // Each job dawdles after its claim, so some are mid-job when the database goes away.
        system.StartWorker("worker", new Dictionary<string, string> { ["Processing:DelayBeforeAnalysis"] = "00:00:02" });
        await system.WaitForListeningWorkersAsync(1);
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3, seed: i + 1), $"speech-{i}.wav"));
        }
        await system.WaitForStatusAsync(ids[0], TimeSpan.FromSeconds(30), "processing");

        await servers.Postgres.StopAsync();
        var down = Stopwatch.StartNew();
        // The Api keeps answering: 503 with Retry-After, not 500, and not ready.
        using (var upload = await system.PostJobAsync(TestAudio.SpeechLikeWav(seconds: 3), "during-outage.wav"))
        {
            await AssertServiceUnavailableAsync(upload);
        }
        using (var poll = await system.Client.GetAsync($"/jobs/{ids[0]}"))
        {
            await AssertServiceUnavailableAsync(poll);
        }
        using (var ready = await system.Client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        await Task.Delay(outage - down.Elapsed);
        await servers.Postgres.StartAsync();

        foreach (var id in ids)
        {
            var job = await system.WaitForFinishedAsync(id, TimeSpan.FromSeconds(120));
            Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"{job.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
            JobAssertions.AssertValidResult(job);
            Assert.Equal(1, (await system.ReadJobRowAsync(id)).Attempts);
        }
        Assert.Equal(ids.Count, await system.CountJobRowsAsync());   // the refused upload stored nothing
        Assert.Equal(0, await system.CountOrphanRecordingsAsync());
        using var readyAgain = await system.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
    }
}
