using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;
using SpeechEmotion.TestSupport.Waiting;

namespace SpeechEmotion.IntegrationTests;

[Collection(ServersCollection.Name)]
public sealed class ObservabilityTests(TestServers servers)
{
    [Fact]
    public async Task Worker_serves_metrics_on_its_health_port_and_the_job_stays_in_the_callers_trace()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        var port = FreeLoopbackPort();
        var worker = system.StartWorker("worker-observed", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Logging:Console:FormatterName"] = "json",
        });
        await system.WaitForListeningWorkersAsync(1);

        // The caller starts the trace (W3C traceparent); the Api, RabbitMQ and the worker must carry it on.
        var traceId = ActivityTraceId.CreateRandom();
        using var databaseSpans = new ObservedSpans("Npgsql");
        var id = await SubmitInTrace(system, traceId, TestAudio.SpeechLikeWav(seconds: 2));
        var job = await system.WaitForFinishedAsync(id);
        Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"{job.ToJsonString()}{Environment.NewLine}{worker.RecentOutput}");

        using var workerClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var workerMetrics = await WaitForMetric(workerClient, "speechemotion_jobs_completed_total{", worker);
        Assert.Contains("speechemotion_jobs_completed_total{otel_scope_name=\"SpeechEmotion\",code=\"none\",status=\"succeeded\"} 1", workerMetrics);
        Assert.Contains("speechemotion_job_queue_wait_seconds_count{otel_scope_name=\"SpeechEmotion\"} 1", workerMetrics);
        Assert.DoesNotContain("speechemotion_jobs_accepted_total", workerMetrics);   // the Api accepts, the worker completes
        var apiMetrics = await WaitForMetric(system.Client, "speechemotion_jobs_accepted_total", worker);
        Assert.Contains("speechemotion_jobs_accepted_total{otel_scope_name=\"SpeechEmotion\"} 1", apiMetrics);

        // The Api's INSERT of the job row is a PostgreSQL span in the caller's trace.
        Assert.Contains(databaseSpans.Finished, span => span.TraceId == traceId);

        List<JsonNode> ConsumerLines() => worker.OutputLines
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonNode.Parse(line)!)
            .Where(line => line["Category"]?.GetValue<string>() == "SpeechEmotion.Processing.Consuming.AnalyzeRecordingConsumer")
            .ToList();
        // The consumer counts the job before it logs it, and the line still crosses the console logger's queue and the pipe.
        await Eventually.HoldsAsync(() => ConsumerLines().Count >= 2, describe: () => worker.RecentOutput);   // claimed, succeeded
        var consumerLines = ConsumerLines();
        Assert.All(consumerLines, line =>
        {
            var scopes = line["Scopes"]!.AsArray();
            Assert.Contains(scopes, scope => scope?["JobId"]?.GetValue<string>() == id.ToString());
            Assert.True(scopes.Any(scope => scope?["TraceId"]?.GetValue<string>() == traceId.ToHexString()),
                $"trace {traceId} not in {line.ToJsonString()}");
        });
    }

    private static async Task<Guid> SubmitInTrace(DistributedSystem system, ActivityTraceId traceId, byte[] wav)
    {
        using var form = SpeechEmotion.TestSupport.Http.JobUpload.Form(wav, "speech.wav");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = form };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        // A client of our own: in this process the Api's tracer provider makes HttpClient trace, and its handler
        // would put its own traceparent on the request.
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = system.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = system.Client.DefaultRequestHeaders.Authorization;
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    /// <summary>The exporter caches a scrape briefly and the consumer records after the row is written: poll.</summary>
    private static async Task<string> WaitForMetric(HttpClient client, string text, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var metrics = await client.GetStringAsync("/metrics");
            if (metrics.Contains(text) || DateTime.UtcNow > deadline)
            {
                Assert.True(metrics.Contains(text), $"/metrics of {client.BaseAddress} has no {text}:{Environment.NewLine}{metrics}{Environment.NewLine}{worker.RecentOutput}");
                return metrics;
            }
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Sees the spans of one source that the in-process Api's tracer provider records, without making any itself
    /// (it samples nothing): if the Api's wiring leaves the source out, nothing is seen.
    /// </summary>
    private sealed class ObservedSpans : IDisposable
    {
        private readonly ActivityListener listener;
        private readonly List<Activity> finished = [];

        public ObservedSpans(string sourceName)
        {
            listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == sourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
                ActivityStopped = activity => { lock (finished) { finished.Add(activity); } },
            };
            ActivitySource.AddActivityListener(listener);
        }

        public IReadOnlyList<Activity> Finished
        {
            get { lock (finished) { return finished.ToList(); } }
        }

        public void Dispose() => listener.Dispose();
    }

    private static int FreeLoopbackPort() => SpeechEmotion.TestSupport.Net.LoopbackPorts.FreePort();
}
