using System.Globalization;
using System.Net.Http;
using System.Text;
using Microsoft.Extensions.Options;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>What one HTTP try came to: the receiver's status and the start of its answer, or why there was none.</summary>
public sealed record AttemptOutcome(int? StatusCode, string? Error, string? ResponsePrefix, TimeSpan Duration)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
    /// <summary>410 Gone: the receiver says this endpoint is no more; the subscription is disabled.</summary>
    public bool Gone => StatusCode == 410;
}

/// <summary>
/// Sends one signed delivery. The HTTP client (named <see cref="ClientName"/>) follows no redirects, uses no proxy
/// or cookies, and connects through <see cref="WebhookAddressRules.ConnectAsync"/>; each try is cut off after
/// Webhooks:RequestTimeout and reads at most <see cref="ResponsePrefixChars"/> characters of the answer.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string ClientName = "webhooks";
    public const int ResponsePrefixChars = 256;
    private const int ResponsePrefixBytes = ResponsePrefixChars * 4;

    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <param name="sign">Makes the <c>webhook-signature</c> header for the attempt's timestamp.</param>
    public async Task<AttemptOutcome> SendAsync(string url, string webhookId, string body, Func<DateTimeOffset, string> sign,
        CancellationToken cancellationToken)
    {
        var timestamp = time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(IdHeader, webhookId);
        request.Headers.Add(TimestampHeader, timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, sign(timestamp));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RequestTimeout);
        var started = time.GetTimestamp();
        try
        {
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var prefix = await ReadPrefixAsync(response, timeout.Token);
            return new AttemptOutcome((int)response.StatusCode, null, prefix, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"No answer within {options.Value.RequestTimeout.TotalSeconds:0.###} s.", started);
        }
        catch (HttpRequestException exception)
        {
            return Failed(Describe(exception), started);
        }
    }

    private AttemptOutcome Failed(string error, long started) => new(null, error, null, time.GetElapsedTime(started));

    private static string Describe(HttpRequestException exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookAddressNotAllowedException notAllowed)
            {
                return notAllowed.Message;
            }
        }
        return exception.HttpRequestError == HttpRequestError.Unknown
            ? exception.Message
            : $"{exception.HttpRequestError}: {exception.Message}";
    }

    /// <summary>The start of the answer only: a receiver cannot make the service read (or store) a large body.</summary>
    private static async Task<string?> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[ResponsePrefixBytes];
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
            }
            if (filled == 0)
            {
                return null;
            }
            var text = Encoding.UTF8.GetString(buffer, 0, filled);
            var clean = new string(text.Select(c => char.IsControl(c) && c is not ('\n' or '\t') ? ' ' : c).ToArray());
            return clean.Length <= ResponsePrefixChars ? clean : clean[..ResponsePrefixChars];
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            return null;   // the status is what counts; a body cut short is not an error of the delivery
        }
    }
}
