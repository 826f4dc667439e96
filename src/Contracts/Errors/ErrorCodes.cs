namespace SpeechEmotion.Contracts.Errors;

/// <summary>
/// Stable machine-readable error codes: the <c>code</c> extension of every problem-details answer and the
/// <c>error.code</c> of a failed job. Clients branch on these, so never rename one.
/// </summary>
public static class ErrorCodes
{
    // Upload problems, answered synchronously by the Api.
    public const string EmptyUpload = "empty_upload";
    public const string MissingFile = "missing_file";
    public const string InvalidMetadata = "invalid_metadata";
    public const string InvalidCallbackUrl = "invalid_callback_url";
    public const string UploadTooLarge = "upload_too_large";
    public const string UploadTimeout = "upload_timeout";
    public const string NotMultipart = "not_multipart";
    public const string MalformedMultipart = "malformed_multipart";
    public const string InvalidRequest = "invalid_request";
    public const string InvalidChannels = "invalid_channels";
    public const string InvalidChannelNames = "invalid_channel_names";
    public const string InvalidInclude = "invalid_include";

    // Audio problems, found by src/Analysis; they fail the job and are never retried.
    public const string UnsupportedFormat = "unsupported_format";
    public const string CorruptAudio = "corrupt_audio";
    public const string TooShort = "too_short";
    public const string TooLong = "too_long";
    public const string NoSpeech = "no_speech";

    // Job and server problems.
    public const string JobNotFound = "job_not_found";
    public const string JobNotFinished = "job_not_finished";
    public const string JobFailed = "job_failed";
    public const string ProcessingFailed = "processing_failed";
    public const string InternalError = "internal_error";
    /// <summary>The database or the message broker is unreachable right now (503, with Retry-After): try again later.</summary>
    public const string ServiceUnavailable = "service_unavailable";

    // Keys and limits (every request in Auth:Mode=ApiKeys).
    /// <summary>401: no key in Authorization: Bearer or X-Api-Key.</summary>
    public const string MissingApiKey = "missing_api_key";
    /// <summary>401: the key is not one the service made.</summary>
    public const string InvalidApiKey = "invalid_api_key";
    /// <summary>401: the key was revoked (<c>keys revoke</c>).</summary>
    public const string RevokedApiKey = "revoked_api_key";
    /// <summary>429, with Retry-After: the key sent more requests than its rate limit allows.</summary>
    public const string RateLimited = "rate_limited";

    public static IReadOnlySet<string> AudioProblems { get; } =
        new HashSet<string> { UnsupportedFormat, CorruptAudio, TooShort, TooLong, NoSpeech };
}
