namespace SpeechEmotion.Analysis.Speech;

/// <summary>
/// Voice activity detection of one 16 kHz mono stream (one call leg, one live connection). Feed blocks of any size
/// with <see cref="Push"/>; regions come back as they close, and <see cref="Complete"/> closes the last one. The
/// audio is cut into Silero's 512-sample windows whatever the block size, so 20 ms frames and 1 s blocks give the same
/// regions. Not thread-safe: one stream is fed by one caller at a time; many streams share one model.
/// </summary>
public sealed class SpeechStream
{
    private static readonly IReadOnlyList<SpeechRegion> NoRegions = [];

    private readonly SileroVadModel model;
    private readonly SpeechHysteresis hysteresis;

    // 64 samples of context (the end of the previous window, zeros at first) then the window being filled.
    private readonly float[] input = new float[SileroVadModel.ContextSamples + SileroVadModel.WindowSamples];
    private readonly float[] state = new float[SileroVadModel.StateLength];
    private int filled;
    private long windowStart;
    private bool completed;

    internal SpeechStream(SileroVadModel model, SpeechDetectionOptions options)
    {
        this.model = model;
        hysteresis = new SpeechHysteresis(options);
    }

    /// <summary>Samples fed so far.</summary>
    public long SamplesFed => windowStart + filled;

    /// <summary>
    /// The earliest sample a region still to be reported may start at: a caller that keeps audio to cut out the
    /// regions may drop everything before it, so its memory stays bounded by the longest region, not the call.
    /// </summary>
    public long EarliestUnreportedSample => hysteresis.EarliestUnreportedSample(windowStart);

    /// <summary>
    /// Where the speech region still going started (padding included), or null in silence: a live caller reports on
    /// an utterance before it ends with it (interim answers).
    /// </summary>
    public long? OpenRegionStart => hysteresis.OpenRegionStart;

    /// <summary>Called with the speech probability of every window (for measurements and plots).</summary>
    public Action<long, float>? WindowScored { get; set; }

    /// <summary>Feeds the next samples; returns the regions that closed inside them (usually none).</summary>
    public IReadOnlyList<SpeechRegion> Push(ReadOnlySpan<float> samples)
    {
        if (completed)
        {
            throw new InvalidOperationException("The stream was completed; open a new one.");
        }

        List<SpeechRegion>? closed = null;
        while (!samples.IsEmpty)
        {
            var taken = Math.Min(samples.Length, SileroVadModel.WindowSamples - filled);
            samples[..taken].CopyTo(input.AsSpan(SileroVadModel.ContextSamples + filled));
            filled += taken;
            samples = samples[taken..];
            if (filled == SileroVadModel.WindowSamples && ScoreWindow() is { } region)
            {
                (closed ??= []).Add(region);
            }
        }

        return closed ?? NoRegions;
    }

    /// <summary>The stream ended: scores a last partial window padded with zeros (as the reference) and closes any open region.</summary>
    public IReadOnlyList<SpeechRegion> Complete()
    {
        if (completed)
        {
            return NoRegions;
        }

        completed = true;
        var totalSamples = SamplesFed;
        var closed = new List<SpeechRegion>();
        if (filled > 0)
        {
            input.AsSpan(SileroVadModel.ContextSamples + filled).Clear();
            filled = SileroVadModel.WindowSamples;
            if (ScoreWindow() is { } region)
            {
                closed.Add(region);
            }
        }

        if (hysteresis.Finish(totalSamples) is { } last)
        {
            closed.Add(last);
        }

        return closed;
    }

    private SpeechRegion? ScoreWindow()
    {
        var probability = model.Run(input, state);
        WindowScored?.Invoke(windowStart, probability);
        var region = hysteresis.Next(probability, windowStart);
        // The window's last 64 samples are the next window's context.
        input.AsSpan(SileroVadModel.WindowSamples).CopyTo(input);
        windowStart += SileroVadModel.WindowSamples;
        filled = 0;
        return region;
    }
}
