using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Api.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Api.Live;

/// <summary>
/// <c>GET /live</c>: a WebSocket that takes a call's audio as it happens (Twilio Media Streams, or raw PCM) and answers
/// each utterance's emotion on the same socket (see <see cref="LiveProtocol"/>, <see cref="LiveConnection"/>).
/// Query: <c>record=true</c> also stores the stream as a job; <c>callbackUrl</c> goes with that job.
/// API keys: the upgrade is an ordinary GET, so whatever guards the other endpoints (header, or <c>?key=</c> for
/// clients that cannot set headers on a WebSocket) guards this one: the route is mapped here and nowhere else.
/// </summary>
public static class LiveEndpoints
{
    public static IEndpointRouteBuilder MapLiveEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/live", AcceptAsync)
            .WithTags("Live")
            .WithName("LiveStream")
            .WithSummary("WebSocket: stream a call (Twilio Media Streams or raw PCM) and receive each utterance's emotion as it ends.")
            .WithDescription("Upgrade to a WebSocket. `?record=true` stores the stream as a job (`callbackUrl` optional). See README, Live.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblemCodes(StatusCodes.Status400BadRequest, ErrorCodes.WebSocketRequired, ErrorCodes.InvalidRequest)
            .ProducesProblemCodes(StatusCodes.Status503ServiceUnavailable, ErrorCodes.TooManyStreams);
        return app;
    }

    private static async Task<IResult> AcceptAsync(HttpContext context, [FromQuery] string? record, [FromQuery] string? callbackUrl,
        [FromServices] LiveStreamGate gate, [FromServices] UploadReader uploadRules, [FromServices] CallAnalyzer analyzer, [FromServices] IOptions<LiveOptions> options,
        [FromServices] IOptions<UploadOptions> uploads, [FromServices] IServiceScopeFactory scopes,
        [FromServices] IHostApplicationLifetime lifetime, [FromServices] ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.WebSocketRequired,
                "/live is a WebSocket: send a WebSocket upgrade request.");
        }
        var recorded = record?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" => false,
            "true" => true,
            _ => throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "record must be true or false."),
        };
        uploadRules.ValidateCallbackUrl(callbackUrl);   // the same rules as an upload's (and a webhook's) URL
        if (!gate.TryEnter())
        {
            context.Response.Headers.RetryAfter = "5";
            return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.TooManyStreams,
                $"{options.Value.MaxConcurrentStreams} live streams are open, the most allowed (Live:MaxConcurrentStreams). Try again shortly.");
        }
        try
        {
            var logger = loggers.CreateLogger(typeof(LiveEndpoints));
            var recorder = recorded
                ? new LiveRecorder(uploads, scopes, logger, string.IsNullOrWhiteSpace(callbackUrl) ? null : callbackUrl.Trim(),
                    context.RequestServices.GetRequiredService<CurrentTenant>().Id ?? Tenant.DefaultId)
                : null;
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await using var connection = new LiveConnection(socket, options.Value, analyzer, recorder, logger);
            await connection.RunAsync(lifetime.ApplicationStopping);
            return Results.Empty;
        }
        finally
        {
            gate.Leave();
        }
    }
}
