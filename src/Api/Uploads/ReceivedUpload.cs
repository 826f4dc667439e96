using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// An upload that passed the request checks: the audio sits in a temporary file (deleted on dispose), and its
/// facts (name, type, size and SHA-256, computed while it streamed in) are already the <see cref="Recording"/> that
/// will be stored, under a new recording id.
/// </summary>
public sealed class ReceivedUpload(FileStream content, Recording recording, string? callbackUrl, string? metadataJson,
    AnalysisRequest request) : IAsyncDisposable
{
    public FileStream Content { get; } = content;
    public Recording Recording { get; } = recording;
    public string? CallbackUrl { get; } = callbackUrl;
    public string? MetadataJson { get; } = metadataJson;
    /// <summary>The <c>channels</c> and <c>channelNames</c> fields, validated.</summary>
    public AnalysisRequest Request { get; } = request;

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
