using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// Reads the multipart upload of POST /jobs and POST /emotion section by section, streaming the <c>file</c> field
/// to a temporary file: a 60 MB upload never sits in memory, and one over Uploads:MaxBytes is refused (413) as
/// soon as the limit is crossed. Fields: <c>file</c> (required), <c>callbackUrl</c>, <c>metadata</c>, <c>channels</c>
/// and <c>channelNames</c> (optional).
/// The body is read through <see cref="TimedRequestBody"/>, so a stalled upload ends in 408 and its file is deleted.
/// Every refusal is an <see cref="ApiProblemException"/> with a fixed detail: nothing the client sent is echoed.
/// </summary>
public sealed class UploadReader(IOptions<UploadOptions> options)
{
    public const string FileField = "file";
    public const string CallbackUrlField = "callbackUrl";
    public const string MetadataField = "metadata";
    /// <summary>RFC 2046 limits a boundary to 70 characters; MultipartReader fails (500) on very long ones.</summary>
    private const int MaxBoundaryLength = 70;
    private const int MaxCallbackUrlBytes = 64 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly UploadOptions _options = options.Value;

    public const string ChannelsField = "channels";
    public const string ChannelNamesField = "channelNames";
    private const int MaxChannelFieldBytes = 1024;

    /// <summary>A recording for POST /jobs: up to Uploads:MaxBytes.</summary>
    public Task<ReceivedUpload> ReadAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, _options.MaxBytes, cancellationToken);

    /// <summary>A clip for POST /emotion: up to Uploads:MaxClipBytes.</summary>
    public Task<ReceivedUpload> ReadClipAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, _options.MaxClipBytes, cancellationToken);

    private async Task<ReceivedUpload> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var boundary = MultipartBoundaryOf(request);
        if (request.ContentLength > maxBytes + UploadOptions.FormOverheadBytes)
        {
            throw TooLarge(maxBytes);
        }

        FileStream? file = null;
        await using var body = new TimedRequestBody(request.Body, _options);
        try
        {
            var fields = await ReadSections(new MultipartReader(boundary, body), maxBytes, cancellationToken, f => file = f);
            return Validate(fields, file);
        }
        catch
        {
            if (file is not null)
            {
                await file.DisposeAsync();
            }
            throw;
        }
    }

    private sealed class Fields
    {
        public string? FileName;
        public string? ContentType;
        public long SizeBytes;
        public string? Sha256;
        public string? CallbackUrl;
        public string? MetadataJson;
        public string? Channels;
        public string? ChannelNames;
    }

    private async Task<Fields> ReadSections(MultipartReader reader, long maxBytes, CancellationToken cancellationToken, Action<FileStream> onFileCreated)
    {
        var fields = new Fields();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    throw Problem(StatusCodes.Status400BadRequest, ErrorCodes.MalformedMultipart, "A multipart section has no valid Content-Disposition header.");
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (name.Equals(FileField, StringComparison.OrdinalIgnoreCase) && fields.Sha256 is null)
                {
                    var file = CreateTemporaryFile();
                    onFileCreated(file);
                    fields.FileName = ClientText.FileName(ClientFileNameOf(disposition));
                    fields.ContentType = string.IsNullOrWhiteSpace(section.ContentType) ? "application/octet-stream" : ClientText.ShortText(section.ContentType);
                    (fields.SizeBytes, fields.Sha256) = await CopyWithLimit(section.Body, file, maxBytes, cancellationToken);
                }
                else if (name.Equals(CallbackUrlField, StringComparison.OrdinalIgnoreCase))
                {
                    fields.CallbackUrl = await ReadText(section.Body, MaxCallbackUrlBytes, InvalidCallbackUrl, cancellationToken);
                }
                else if (name.Equals(MetadataField, StringComparison.OrdinalIgnoreCase))
                {
                    fields.MetadataJson = await ReadText(section.Body, MetadataRules.MaxBytes, InvalidMetadata, cancellationToken);
                }
                else if (name.Equals(ChannelsField, StringComparison.OrdinalIgnoreCase))
                {
                    fields.Channels = await ReadText(section.Body, MaxChannelFieldBytes,
                        () => Problem(StatusCodes.Status400BadRequest, ErrorCodes.InvalidChannels, "channels must be 'mix' or 'split'."), cancellationToken);
                }
                else if (name.Equals(ChannelNamesField, StringComparison.OrdinalIgnoreCase))
                {
                    fields.ChannelNames = await ReadText(section.Body, MaxChannelFieldBytes,
                        () => Problem(StatusCodes.Status400BadRequest, ErrorCodes.InvalidChannelNames, "channelNames is too long."), cancellationToken);
                }
                else
                {
                    // Unknown fields are skipped (read to their end) rather than refused: clients often add extras.
                    await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                }
            }
        }
        // BadHttpRequestException is an IOException too (Kestrel's size backstop); it must keep its own 413.
        catch (Exception exception) when (exception is (IOException or InvalidDataException) and not BadHttpRequestException
            && !cancellationToken.IsCancellationRequested)
        {
            throw Problem(StatusCodes.Status400BadRequest, ErrorCodes.MalformedMultipart, "The multipart body is malformed or truncated.");
        }
        return fields;
    }

    private static ReceivedUpload Validate(Fields fields, FileStream? file)
    {
        if (file is null || fields.Sha256 is null)
        {
            throw Problem(StatusCodes.Status400BadRequest, ErrorCodes.MissingFile, $"The multipart form has no '{FileField}' field.");
        }
        if (fields.SizeBytes == 0)
        {
            throw Problem(StatusCodes.Status400BadRequest, ErrorCodes.EmptyUpload, "The uploaded file is empty.");
        }
        ValidateCallbackUrl(fields.CallbackUrl);
        ValidateMetadata(fields.MetadataJson);
        var analysisRequest = AnalysisRequestField.Parse(fields.Channels, fields.ChannelNames);

        file.Position = 0;
        var recording = new Recording
        {
            Id = Guid.CreateVersion7(),
            FileName = fields.FileName!,
            ContentType = fields.ContentType!,
            SizeBytes = fields.SizeBytes,
            Sha256 = fields.Sha256,
        };
        return new ReceivedUpload(file, recording,
            string.IsNullOrWhiteSpace(fields.CallbackUrl) ? null : fields.CallbackUrl.Trim(),
            string.IsNullOrWhiteSpace(fields.MetadataJson) ? null : fields.MetadataJson, analysisRequest);
    }

    private static void ValidateCallbackUrl(string? callbackUrl)
    {
        if (string.IsNullOrWhiteSpace(callbackUrl))
        {
            return;
        }
        var valid = !callbackUrl.Any(char.IsControl)
            && Uri.TryCreate(callbackUrl.Trim(), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        if (!valid)
        {
            throw InvalidCallbackUrl();
        }
    }

    private static void ValidateMetadata(string? metadataJson)
    {
        if (!string.IsNullOrWhiteSpace(metadataJson) && !MetadataRules.CanBeServed(metadataJson))
        {
            throw InvalidMetadata();
        }
    }

    private string MultipartBoundaryOf(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw Problem(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.NotMultipart,
                $"Send the recording as multipart/form-data with a '{FileField}' field.");
        }
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > MaxBoundaryLength)
        {
            throw Problem(StatusCodes.Status400BadRequest, ErrorCodes.MalformedMultipart,
                $"The multipart Content-Type needs a boundary of 1 to {MaxBoundaryLength} characters.");
        }
        return boundary;
    }

    private static async Task<(long Size, string Sha256)> CopyWithLimit(Stream source, FileStream target, long maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            await target.FlushAsync(cancellationToken);
            return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A small text field, refused with <paramref name="refusal"/> when over <paramref name="maxBytes"/> or not UTF-8.</summary>
    private static async Task<string> ReadText(Stream body, int maxBytes, Func<ApiProblemException> refusal, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw refusal();
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw refusal();
        }
    }

    private static string? ClientFileNameOf(ContentDispositionHeaderValue disposition)
    {
        var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value;
        return string.IsNullOrWhiteSpace(name) ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value : name;
    }

    /// <summary>
    /// FileShare.None also takes an exclusive advisory lock (flock) on Unix: that is how the start-up cleanup tells
    /// a live upload of another Api process from a file a killed one left behind.
    /// </summary>
    private FileStream CreateTemporaryFile() =>
        new(Path.Combine(_options.EffectiveTemporaryDirectory, $"{Guid.NewGuid():N}{AbandonedUploadCleanup.Suffix}"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);

    private static ApiProblemException TooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, ErrorCodes.UploadTooLarge, $"Uploads here are limited to {maxBytes} bytes.");

    private static ApiProblemException InvalidMetadata() =>
        Problem(StatusCodes.Status400BadRequest, ErrorCodes.InvalidMetadata,
            $"metadata must be a JSON object of at most {MetadataRules.MaxBytes} bytes of UTF-8 and {MetadataRules.MaxDepth} levels.");

    private static ApiProblemException InvalidCallbackUrl() =>
        Problem(StatusCodes.Status400BadRequest, ErrorCodes.InvalidCallbackUrl,
            $"callbackUrl must be an absolute http or https URL of at most {MaxCallbackUrlBytes} bytes.");

    private static ApiProblemException Problem(int status, string code, string detail) => new(status, code, detail);
}
