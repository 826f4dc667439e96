using Microsoft.AspNetCore.Diagnostics;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Logging;
using SpeechEmotion.Persistence.Resilience;

namespace SpeechEmotion.Api.Problems;

/// <summary>
/// Turns exceptions into problem details. Refused requests keep their status and code; Kestrel's rejections of a
/// body (BadHttpRequestException: too large, too slow, broken framing) get a code by their status and a fixed detail
/// (Kestrel's message is not for clients); a database that stays unreachable after the execution strategy's retries
/// becomes 503 service_unavailable; anything else is a real 500. Every 503 carries Retry-After, so well-behaved
/// clients come back instead of giving up.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>A database restart or a broker reconnect takes seconds; a client asked to wait this long finds it back.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-request: nobody to answer, and not a server fault worth an error log.
            return true;
        }
        var (status, code, detail) = exception switch
        {
            ApiProblemException refused => (refused.Status, refused.Code, refused.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, ErrorCodes.UploadTooLarge, "The request body is larger than the service accepts."),
            BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
                (StatusCodes.Status408RequestTimeout, ErrorCodes.UploadTimeout, "The request body arrived too slowly."),
            BadHttpRequestException badRequest =>
                (badRequest.StatusCode, ErrorCodes.InvalidRequest, "The request is malformed (HTTP framing or headers)."),
            _ when DatabaseOutage.IsOutage(exception) =>
                (StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, "The database is unreachable right now. Try again shortly."),
            _ => (StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "The service failed to handle the request."),
        };
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogWarning("Answered 503 on {Method} {Path}: {Reason}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        }
        else if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}",
                LogText.Encode(httpContext.Request.Method), LogText.Encode(httpContext.Request.Path.Value));
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                Detail = detail,
                Extensions = { [ApiProblems.CodeExtension] = code },
            },
        });
    }
}
