using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpeechEmotion.Contracts.Results;

/// <summary>
/// What the service says about one recording: the one home of a job's result. Processing writes it (one JSON
/// column of the job), the Api serves it as <c>result</c> of <c>GET /jobs/{id}</c>; nothing else stores a result.
/// Times are in seconds from the start of the recording; probabilities are in <c>EmotionLabels.All</c> order.
/// </summary>
/// <param name="Emotion">The most probable label over the whole recording (all channels, weighted by speech duration).</param>
/// <param name="Probabilities">All seven labels with their probability (they sum to 1).</param>
/// <param name="ModelVersion">The model's <c>model_version</c> metadata.</param>
/// <param name="Audio">The upload as it came in.</param>
/// <param name="Call">Figures that need no words: speech, silence, overlap (null in results stored before calls were analysed).</param>
/// <param name="Channels">One block per analysed channel: one with <c>channels=mix</c>, one per channel with <c>split</c>.</param>
public sealed record EmotionResult(
    string Emotion,
    IReadOnlyDictionary<string, float> Probabilities,
    string ModelVersion,
    AudioFacts Audio,
    CallFigures? Call,
    IReadOnlyList<ChannelResult> Channels)
{
    /// <summary>The JSON form used for storage and for the wire (camelCase, nulls left out).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static EmotionResult FromJson(string json) =>
        JsonSerializer.Deserialize<EmotionResult>(json, JsonOptions) ?? throw new JsonException("A stored result is null.");

    /// <summary>The same result without the per-segment detail (what <c>GET /jobs/{id}</c> answers by default).</summary>
    public EmotionResult WithoutSegments() => this with { Channels = Channels.Select(c => c with { Segments = null }).ToList() };
}

/// <summary>The original upload: its duration, sample rate and channel count.</summary>
public sealed record AudioFacts(double DurationSeconds, int SampleRate, int Channels);

/// <summary>
/// Whole-call figures. <paramref name="NonTalkSeconds"/>: time when no analysed channel speaks.
/// <paramref name="OverlapSeconds"/> / <paramref name="OverlapCount"/>: time and number of stretches when two or more
/// channels speak at once (always 0 with one channel).
/// </summary>
public sealed record CallFigures(double DurationSeconds, double SpeechSeconds, double NonTalkSeconds, double OverlapSeconds, int OverlapCount);

/// <summary>
/// One channel of the call. <paramref name="Emotion"/> / <paramref name="Probabilities"/> are null when the channel
/// holds no speech. <paramref name="FirstQuarter"/> / <paramref name="LastQuarter"/>: the channel's emotion over the
/// first and the last quarter of the call (null when it does not speak there), so a CRM can tell whether the
/// customer calmed down. <paramref name="Segments"/>: stretches where one emotion holds (left out unless asked for).
/// </summary>
public sealed record ChannelResult(
    int Channel,
    string Name,
    string? Emotion,
    IReadOnlyDictionary<string, float>? Probabilities,
    double SpeechSeconds,
    EmotionShare? FirstQuarter,
    EmotionShare? LastQuarter,
    IReadOnlyList<EmotionSegment>? Segments);

/// <summary>An emotion over some stretch of speech, with its probabilities.</summary>
public sealed record EmotionShare(string Emotion, IReadOnlyDictionary<string, float> Probabilities);

/// <summary>A stretch [Start, End) of one channel's speech where one emotion holds.</summary>
public sealed record EmotionSegment(double Start, double End, string Emotion, IReadOnlyDictionary<string, float> Probabilities);
