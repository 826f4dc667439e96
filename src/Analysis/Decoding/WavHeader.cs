namespace SpeechEmotion.Analysis.Decoding;

/// <summary>The facts of a RIFF/WAVE file that decoding needs, read by <see cref="WavReader.ReadHeader"/>.</summary>
internal readonly record struct WavHeader(
    ushort FormatTag,
    int Channels,
    int SampleRate,
    int BitsPerSample,
    int BlockAlign,
    int DataOffset,
    int DataLength)
{
    public const ushort PcmFormat = 1;
    public const ushort FloatFormat = 3;

    public long FrameCount => DataLength / BlockAlign;

    public double DurationSeconds => FrameCount / (double)SampleRate;

    /// <summary>
    /// 16-bit PCM or float32 at 16 kHz, mono or stereo: the shapes browsers and recorders send most, decoded in
    /// managed code without an ffmpeg process. Everything else (other rates, 8/24/32-bit PCM, float64, μ-law, A-law,
    /// more channels) goes to ffmpeg.
    /// </summary>
    public bool IsManagedFastPath =>
        SampleRate == DecodedAudio.SampleRate
        && Channels is 1 or 2
        && ((FormatTag == PcmFormat && BitsPerSample == 16) || (FormatTag == FloatFormat && BitsPerSample == 32))
        && BlockAlign == Channels * BitsPerSample / 8;
}
