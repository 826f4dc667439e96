namespace SpeechEmotion.Analysis.Decoding;

/// <summary>The facts of a RIFF/WAVE file that decoding needs, read by <see cref="WavHeaderReader"/>.</summary>
internal readonly record struct WavHeader(
    ushort FormatTag,
    int Channels,
    int SampleRate,
    int BitsPerSample,
    int BlockAlign,
    long DataOffset,
    long? DataLength)
{
    public const ushort PcmFormat = 1;
    public const ushort FloatFormat = 3;
    public const ushort ALawFormat = 6;
    public const ushort MuLawFormat = 7;

    /// <summary>Null when the header does not say (streamed recorders write 0 or 0xFFFFFFFF): read to the end.</summary>
    public long? FrameCount => DataLength / BlockAlign;

    public TimeSpan? Duration => FrameCount is { } frames ? TimeSpan.FromSeconds(frames / (double)SampleRate) : null;

    /// <summary>
    /// The shapes decoded in managed code, at any sample rate: PCM 8/16/24/32-bit, float 32/64-bit, G.711 μ-law and
    /// A-law, mono or stereo. Everything else (GSM 6.10, ADPCM, more channels...) goes to ffmpeg.
    /// </summary>
    public bool IsManaged =>
        Channels is 1 or 2
        && BlockAlign == Channels * BitsPerSample / 8
        && FormatTag switch
        {
            PcmFormat => BitsPerSample is 8 or 16 or 24 or 32,
            FloatFormat => BitsPerSample is 32 or 64,
            ALawFormat or MuLawFormat => BitsPerSample == 8,
            _ => false,
        };

    /// <summary>ffmpeg's name for the codec, so facts read the same whichever decoder ran.</summary>
    public string CodecName => FormatTag switch
    {
        PcmFormat when BitsPerSample == 8 => "pcm_u8",
        PcmFormat => $"pcm_s{BitsPerSample}le",
        FloatFormat => $"pcm_f{BitsPerSample}le",
        ALawFormat => "pcm_alaw",
        MuLawFormat => "pcm_mulaw",
        _ => $"wav_format_0x{FormatTag:x4}",
    };
}
