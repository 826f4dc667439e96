using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;
using SpeechEmotion.TestSupport.Archives;

namespace SpeechEmotion.IntegrationTests;

/// <summary>Batches over RabbitMQ and PostgreSQL: the Api sends to the batch queue, a worker process consumes it.</summary>
[Collection(ServersCollection.Name)]
public sealed class BatchTests(TestServers servers)
{
    [Fact]
    public async Task An_archive_batch_and_its_reprocessing_complete_through_a_worker_process()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        system.StartWorker("worker-a");
        await system.WaitForListeningWorkersAsync(1);

        var archive = TestArchives.Zip(Enumerable.Range(0, 6).Select(i => ($"calls/call-{i}.wav", TestAudio.SpeechLikeWav(seconds: 2)))
            .Append(("calls/notes.txt", "not audio"u8.ToArray())));
        var batch = await CreateAsync(system.Client, TestArchives.Form(archive, "calls.zip"));
        var done = await WaitUntilCompletedAsync(system, batch);
        Assert.Equal((7, 6, 1), (Count(done, "total"), Count(done, "succeeded"), Count(done, "failed")));

        var again = await CreateAsync(system.Client, JsonContent.Create(new { reprocess = new { batchId = batch } }));
        var againDone = await WaitUntilCompletedAsync(system, again);
        // The refused member has no audio to analyse again.
        Assert.Equal((6, 6), (Count(againDone, "total"), Count(againDone, "succeeded")));

        // A long selection (PostgreSQL enforces the batch's source column length): 5,000 ids, none of them a job.
        var many = Enumerable.Range(0, 5000).Select(_ => Guid.NewGuid()).ToList();
        var none = await CreateAsync(system.Client, JsonContent.Create(new { reprocess = new { jobIds = many } }));
        Assert.Equal(0, Count(await WaitUntilCompletedAsync(system, none), "total"));
    }

    private static async Task<Guid> CreateAsync(HttpClient client, HttpContent content)
    {
        using var response = await client.PostAsync("/batches", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /batches answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    private static async Task<JsonObject> WaitUntilCompletedAsync(DistributedSystem system, Guid batchId)
    {
        var deadline = DateTime.UtcNow + DistributedSystem.DefaultJobTimeout;
        while (true)
        {
            var batch = JsonNode.Parse(await system.Client.GetStringAsync($"/batches/{batchId}"))!.AsObject();
            if (batch["status"]!.GetValue<string>() == "completed")
            {
                return batch;
            }
            Assert.True(DateTime.UtcNow < deadline, $"batch {batchId}: {batch.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
            await Task.Delay(200);
        }
    }

    private static int Count(JsonObject batch, string name) => batch["counts"]![name]!.GetValue<int>();
}
