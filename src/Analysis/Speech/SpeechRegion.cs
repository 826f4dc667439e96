namespace SpeechEmotion.Analysis.Speech;

/// <summary>
/// One stretch of speech in a 16 kHz stream, padded as the detector's options say: samples
/// [<see cref="StartSample"/>, <see cref="EndSample"/>) counted from the first sample the stream was fed.
/// </summary>
public readonly record struct SpeechRegion(long StartSample, long EndSample)
{
    /// <summary>Start in seconds from the beginning of the stream.</summary>
    public double Start => StartSample / (double)SileroVadModel.SampleRate;

    /// <summary>End in seconds from the beginning of the stream.</summary>
    public double End => EndSample / (double)SileroVadModel.SampleRate;

    public double Duration => End - Start;

    public override string ToString() => $"{Start:0.000}-{End:0.000} s";
}
