using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// An upload that passed the request checks: the audio sits in a temporary file (deleted on dispose), with the
/// SHA-256 and size computed while it streamed in.
/// </summary>
public sealed class ReceivedUpload(FileStream content, string fileName, string contentType, long sizeBytes, string sha256,
    string? callbackUrl, string? metadataJson, AnalysisRequest request) : IAsyncDisposable
{
    public FileStream Content { get; } = content;
    public string FileName { get; } = fileName;
    public string ContentType { get; } = contentType;
    public long SizeBytes { get; } = sizeBytes;
    public string Sha256 { get; } = sha256;
    public string? CallbackUrl { get; } = callbackUrl;
    public string? MetadataJson { get; } = metadataJson;
    /// <summary>The <c>channels</c> and <c>channelNames</c> fields, validated.</summary>
    public AnalysisRequest Request { get; } = request;

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
