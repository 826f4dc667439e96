using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using SpeechEmotion.Cli.Commands;

namespace SpeechEmotion.Cli.Submission;

/// <summary>What POST /jobs answered for one file: a job id, or the refusal's code and detail (a 4xx: bad upload).</summary>
internal sealed record SubmitOutcome(Guid? JobId, string? RefusedCode = null, string? RefusedMessage = null);

/// <summary>
/// The service's HTTP API as <c>submit</c> uses it: POST /jobs and GET /jobs/{id}. Answers that say "later"
/// (503 with Retry-After, 429, 408, a dropped connection) are tried again; a refusal of the upload is returned.
/// </summary>
internal sealed class ServiceClient(HttpClient http) : IDisposable
{
    private const int MaxTries = 8;

    public static ServiceClient Create(Uri server, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(30) };
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        return new ServiceClient(http);
    }

    public async Task<SubmitOutcome> SubmitAsync(string path, string displayName, CancellationToken cancellationToken)
    {
        using var response = await SendWithRetries(() =>
        {
            var file = new StreamContent(File.OpenRead(path));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            var form = new MultipartFormDataContent { { file, "file", Path.GetFileName(displayName) } };
            return new HttpRequestMessage(HttpMethod.Post, "jobs") { Content = form };
        }, cancellationToken);
        var body = await ReadJson(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return new SubmitOutcome(body?["id"]?.GetValue<Guid>());
        }
        if ((int)response.StatusCode is >= 400 and < 500 and not 401 and not 403)
        {
            return new SubmitOutcome(null, body?["code"]?.GetValue<string>() ?? $"http_{(int)response.StatusCode}", body?["detail"]?.GetValue<string>());
        }
        throw Unexpected(response, body);
    }

    public async Task<JsonObject> GetJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        using var response = await SendWithRetries(() => new HttpRequestMessage(HttpMethod.Get, $"jobs/{jobId}"), cancellationToken);
        var body = await ReadJson(response, cancellationToken);
        return response.IsSuccessStatusCode && body is JsonObject job ? job : throw Unexpected(response, body);
    }

    private async Task<HttpResponseMessage> SendWithRetries(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage? response = null;
            try
            {
                using var message = request();
                response = await http.SendAsync(message, cancellationToken);
                if (!IsTransient(response.StatusCode) || attempt == MaxTries)
                {
                    return response;
                }
            }
            catch (HttpRequestException error) when (attempt < MaxTries)
            {
                _ = error;   // the server restarting or the network away for a moment: try again below
            }
            catch (HttpRequestException error)
            {
                throw new CommandException($"Cannot reach {http.BaseAddress}: {error.Message}");
            }
            var wait = response?.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt - 1)));
            response?.Dispose();
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
            or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    private static async Task<JsonNode?> ReadJson(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private CommandException Unexpected(HttpResponseMessage response, JsonNode? body) =>
        new($"{http.BaseAddress} answered {(int)response.StatusCode} {body?["code"]?.GetValue<string>()} {body?["detail"]?.GetValue<string>()}".TrimEnd());

    public void Dispose() => http.Dispose();
}
