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

    // Webhooks: subscriptions, per-job callbacks and their deliveries.
    public const string InvalidWebhookUrl = "invalid_webhook_url";
    /// <summary>The receiver URL's host is a loopback, private, link-local or multicast address (SSRF guard).</summary>
    public const string WebhookAddressNotAllowed = "webhook_address_not_allowed";
    public const string InvalidWebhookEvents = "invalid_webhook_events";
    public const string WebhookNotFound = "webhook_not_found";
    public const string DeliveryNotFound = "delivery_not_found";
    public const string DeliveryNotDead = "delivery_not_dead";
    public const string WebhookDisabled = "webhook_disabled";
    /// <summary>A JSON endpoint (POST /webhooks) got another content type.</summary>
    public const string NotJson = "not_json";
    // Batches (POST /batches and /batches/{id}).
    public const string InvalidBatchRequest = "invalid_batch_request";
    public const string MissingArchive = "missing_archive";
    public const string UnreadableArchive = "unreadable_archive";
    public const string FolderNotAllowed = "folder_not_allowed";
    public const string FolderNotFound = "folder_not_found";
    public const string BatchNotFound = "batch_not_found";
    public const string BatchNotRunning = "batch_not_running";
    public const string InvalidBatchQuery = "invalid_batch_query";
    /// <summary>A job's error: its archive member could not be read out of the archive (damaged or truncated archive).</summary>
    public const string CorruptArchiveMember = "corrupt_archive_member";
    /// <summary>A job's error: its batch was cancelled before it ran.</summary>
    public const string BatchCancelled = "batch_cancelled";

    // Live streams (GET /live), answered before the WebSocket opens.
    /// <summary>A plain HTTP request reached the WebSocket endpoint.</summary>
    public const string WebSocketRequired = "websocket_required";
    /// <summary>Live:MaxConcurrentStreams streams are open (503, with Retry-After).</summary>
    public const string TooManyStreams = "too_many_streams";

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
