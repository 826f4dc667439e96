using System.Buffers.Binary;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Validation;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>How the samples of a live stream are coded.</summary>
public enum LiveEncoding
{
    /// <summary>G.711 μ-law, one byte a sample (Twilio Media Streams: audio/x-mulaw, 8000 Hz).</summary>
    MuLaw,

    /// <summary>16-bit signed little-endian PCM.</summary>
    Pcm16,
}

/// <summary>The audio of a live stream: coding, sample rate and channels (tracks).</summary>
public sealed record LiveAudioFormat(LiveEncoding Encoding, int SampleRate, int Channels)
{
    public const int MaxChannels = 2;

    public int BytesPerSample => Encoding == LiveEncoding.MuLaw ? 1 : 2;

    /// <summary>The byte a coded silent sample is made of (μ-law 0xFF decodes to 0).</summary>
    public byte SilenceByte => Encoding == LiveEncoding.MuLaw ? (byte)0xFF : (byte)0;

    public bool IsSupported =>
        Channels is >= 1 and <= MaxChannels && SampleRate is >= 8000 and <= 48000 && StreamingResampler.Supports(SampleRate, RecordingReader.SampleRate);

    internal void ThrowIfUnsupported()
    {
        if (!IsSupported)
        {
            throw new ArgumentException($"Live audio must have 1 to {MaxChannels} channels at a sample rate of 8000 to 48000 Hz (got {Channels} at {SampleRate} Hz).");
        }
    }
}

/// <summary>
/// One live stream under analysis (<see cref="CallAnalyzer.OpenLive"/>): each channel's coded samples are decoded,
/// resampled to 16 kHz by the same resampler as a recording, and pushed into the same <see cref="CallSession"/>, so
/// the summary equals the result of the recording of the stream. Fed by one caller at a time.
/// </summary>
public sealed class LiveCall
{
    private readonly CallSession session;
    private readonly AnalysisOptions options;
    private readonly StreamingResampler?[] resamplers;
    private readonly long[] received;
    private readonly long[] pushed16k;
    private float[] decoded = new float[1024];
    private readonly float[] resampled = new float[4096];
    private byte[] partialFrame = [];
    private bool completed;

    internal LiveCall(CallSession session, LiveAudioFormat format, AnalysisOptions options)
    {
        this.session = session;
        this.options = options;
        Format = format;
        resamplers = Enumerable.Range(0, format.Channels)
            .Select(_ => format.SampleRate == RecordingReader.SampleRate ? null : new StreamingResampler(format.SampleRate, RecordingReader.SampleRate))
            .ToArray();
        received = new long[format.Channels];
        pushed16k = new long[format.Channels];
    }

    public LiveAudioFormat Format { get; }

    /// <summary>Samples (at the stream's rate) received on <paramref name="channel"/> so far, silence filled in included.</summary>
    public long SamplesReceived(int channel) => received[channel];

    /// <summary>Seconds of audio received on the longest channel.</summary>
    public double SecondsReceived => received.Max() / (double)Format.SampleRate;

    /// <summary>Time spent in the emotion model so far.</summary>
    public TimeSpan InferenceTime => session.InferenceTime;

    /// <summary>Feeds coded samples of one channel (whole samples: an odd byte count of PCM16 is refused).</summary>
    public void Push(int channel, ReadOnlySpan<byte> coded)
    {
        ThrowIfCompleted();
        if (coded.Length % Format.BytesPerSample != 0)
        {
            throw new ArgumentException("Coded audio must hold whole samples.", nameof(coded));
        }
        var count = coded.Length / Format.BytesPerSample;
        var samples = Decoded(count);
        for (var i = 0; i < count; i++)
        {
            samples[i] = Decode(coded, i, stride: 1);
        }
        Feed(channel, samples);
    }

    /// <summary>
    /// Feeds frames of all channels interleaved (raw PCM from a platform); a frame split across two calls is joined.
    /// </summary>
    public void PushInterleaved(ReadOnlySpan<byte> coded)
    {
        ThrowIfCompleted();
        var frameBytes = Format.BytesPerSample * Format.Channels;
        byte[] joined = [.. partialFrame, .. coded];
        var frames = joined.Length / frameBytes;
        partialFrame = joined[(frames * frameBytes)..];
        for (var channel = 0; channel < Format.Channels; channel++)
        {
            var samples = Decoded(frames);
            var channelBytes = joined.AsSpan(channel * Format.BytesPerSample);
            for (var i = 0; i < frames; i++)
            {
                samples[i] = Decode(channelBytes, i, stride: Format.Channels);
            }
            Feed(channel, samples);
        }
    }

    /// <summary>Fills <paramref name="samples"/> of silence into a channel (a gap in a stream with timestamps).</summary>
    public void PushSilence(int channel, long samples)
    {
        while (samples > 0)
        {
            var count = (int)Math.Min(samples, 4096);
            var silence = Decoded(count);
            silence.Clear();
            Feed(channel, silence);
            samples -= count;
        }
    }

    /// <summary>
    /// The stream ended: channels shorter than the longest are filled with silence (as the recording is), the last
    /// utterances are closed and told, and the result of the whole stream is returned.
    /// </summary>
    /// <exception cref="AudioRejectedException">too_short or no_speech, as for a recording.</exception>
    public EmotionResult Complete()
    {
        ThrowIfCompleted();
        var longest = received.Max();
        for (var channel = 0; channel < Format.Channels; channel++)
        {
            PushSilence(channel, longest - received[channel]);
            if (resamplers[channel] is { } resampler)
            {
                resampler.Finish();
                Drain(channel, resampler);
            }
        }
        completed = true;
        var durationSeconds = pushed16k.Max() / (double)RecordingReader.SampleRate;
        new DurationLimits(options).RejectIfTooShort(durationSeconds);
        var audio = new AudioFacts(Math.Round(durationSeconds, 3), Format.SampleRate, Format.Channels);
        return session.Complete(durationSeconds, audio);
    }

    private void ThrowIfCompleted()
    {
        if (completed)
        {
            throw new InvalidOperationException("The live call was completed.");
        }
    }

    private float Decode(ReadOnlySpan<byte> coded, int index, int stride) => Format.Encoding == LiveEncoding.MuLaw
        ? G711.MuLaw[coded[index * stride]]
        : BinaryPrimitives.ReadInt16LittleEndian(coded[(index * stride * 2)..]) / 32768f;

    private Span<float> Decoded(int count)
    {
        if (decoded.Length < count)
        {
            decoded = new float[count];
        }
        return decoded.AsSpan(0, count);
    }

    private void Feed(int channel, ReadOnlySpan<float> samples)
    {
        received[channel] += samples.Length;
        if (resamplers[channel] is not { } resampler)
        {
            session.Push(channel, samples);
            pushed16k[channel] += samples.Length;
            return;
        }
        resampler.Push(samples);
        Drain(channel, resampler);
    }

    private void Drain(int channel, StreamingResampler resampler)
    {
        int produced;
        while ((produced = resampler.Pull(resampled)) > 0)
        {
            session.Push(channel, resampled.AsSpan(0, produced));
            pushed16k[channel] += produced;
        }
    }
}
