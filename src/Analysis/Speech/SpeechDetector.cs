using Microsoft.Extensions.Options;

namespace SpeechEmotion.Analysis.Speech;

/// <summary>
/// Finds speech in 16 kHz mono audio with Silero VAD. One per process (a singleton): it owns the shared model and
/// opens a <see cref="SpeechStream"/> per call leg or connection.
/// </summary>
public sealed class SpeechDetector : IDisposable
{
    private readonly SileroVadModel model;

    public SpeechDetector(IOptions<SpeechDetectionOptions> options)
        : this(options.Value)
    {
    }

    public SpeechDetector(SpeechDetectionOptions options)
    {
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        Options = options;
        model = new SileroVadModel(options.ResolveModelPath());
    }

    public SpeechDetectionOptions Options { get; }

    /// <summary>A new stream with its own state, starting at sample 0.</summary>
    public SpeechStream OpenStream() => new(model, Options);

    /// <summary>Every speech region of a whole recording (short clips; long audio should be streamed).</summary>
    public IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> samples)
    {
        var stream = OpenStream();
        var regions = new List<SpeechRegion>(stream.Push(samples));
        regions.AddRange(stream.Complete());
        return regions;
    }

    public void Dispose() => model.Dispose();
}
