using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace SpeechEmotion.Api.Problems;

/// <summary>RFC 7807 answers that always carry the stable <c>code</c> extension.</summary>
public static class ApiProblems
{
    public const string CodeExtension = "code";

    public static ProblemHttpResult Create(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var allExtensions = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { [CodeExtension] = code };
        return TypedResults.Problem(
            statusCode: status,
            title: ReasonPhrases.GetReasonPhrase(status),
            detail: detail,
            extensions: allExtensions);
    }

    /// <summary>A code for answers produced by the framework itself (404 route, 405 method, ...).</summary>
    public static string DefaultCodeFor(int? status) => status switch
    {
        StatusCodes.Status400BadRequest => Contracts.Errors.ErrorCodes.InvalidRequest,
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status413PayloadTooLarge => Contracts.Errors.ErrorCodes.UploadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => Contracts.Errors.ErrorCodes.NotMultipart,
        >= 500 => Contracts.Errors.ErrorCodes.InternalError,
        _ => $"http_{status}",
    };
}
