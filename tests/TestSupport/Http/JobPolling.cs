using System.Text.Json.Nodes;

namespace SpeechEmotion.TestSupport.Http;

/// <summary>Polls <c>GET /jobs/{id}</c> until the job reaches a status: the one wait every end-to-end test needs.</summary>
public static class JobPolling
{
    public static readonly string[] Finished = ["succeeded", "failed"];

    /// <summary>
    /// The job once its status is one of <paramref name="statuses"/>. Throws (failing the test) when GET answers
    /// anything but 200, or when <paramref name="timeout"/> passes first; <paramref name="context"/> adds what
    /// helps explain it (e.g. worker output).
    /// </summary>
    public static async Task<JsonObject> WaitForStatusAsync(HttpClient client, Guid id, TimeSpan timeout, IReadOnlyCollection<string> statuses,
        TimeSpan? interval = null, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await GetJobAsync(client, id);
            var status = job["status"]!.GetValue<string>();
            if (statuses.Contains(status))
            {
                return job;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {id} is still '{status}' after {timeout}, expected {string.Join("|", statuses)}: "
                    + $"{job.ToJsonString()}{Environment.NewLine}{context?.Invoke()}");
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>GET /jobs/{id}, insisting on 200.</summary>
    public static async Task<JsonObject> GetJobAsync(HttpClient client, Guid id)
    {
        using var response = await client.GetAsync($"/jobs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /jobs/{id} answered {(int)response.StatusCode}: {body}");
        }
        return JsonNode.Parse(body)!.AsObject();
    }
}
