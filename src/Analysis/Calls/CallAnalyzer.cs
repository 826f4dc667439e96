using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Analysis.Validation;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// A recording of any length in, an <see cref="EmotionResult"/> out: decode block by block (never the whole call in
/// memory), find speech per channel, classify windows of it in batches, merge them into segments. Holds no
/// per-recording state, so one instance serves all jobs concurrently.
/// </summary>
public sealed class CallAnalyzer(
    IOptions<AnalysisOptions> analysisOptions,
    IOptions<CallOptions> callOptions,
    SpeechDetector detector,
    EmotionClassifier classifier)
{
    /// <summary>Frames decoded, handed to the detector and the windows at a time: 0.25 s.</summary>
    private const int BlockFrames = 4096;

    /// <summary>Bytes the format sniffer looks at.</summary>
    private const int SniffBytes = 64;

    /// <summary>
    /// Analyses <paramref name="recording"/>, read forward only (it may stream from the recording store).
    /// <paramref name="onProgress"/> is called after each block with the seconds decoded so far;
    /// <paramref name="onInferenceMeasured"/> once at the end with the time spent in the model;
    /// <paramref name="onUtterance"/> with each utterance's emotion as its windows are classified.
    /// </summary>
    /// <exception cref="AudioRejectedException">The recording cannot be analysed; its Code says why.</exception>
    public async Task<EmotionResult> AnalyzeAsync(
        Stream recording, string fileName, AnalysisRequest request, CancellationToken cancellationToken, Action<double>? onProgress = null,
        Action<TimeSpan>? onInferenceMeasured = null, Action<UtteranceEmotion>? onUtterance = null)
    {
        var options = analysisOptions.Value;
        var head = new byte[SniffBytes];
        var headLength = await recording.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        var format = AudioFormatSniffer.Detect(fileName, head.AsSpan(0, headLength));
        var channels = request.Channels == ChannelHandling.Split ? ChannelMode.Split : ChannelMode.Mix;
        var readerOptions = RecordingReaderOptions.From(options, channels, options.MaxCallDuration);

        await using var reader = await RecordingReader.OpenAsync(new PrefixedStream(head[..headLength], recording), format, readerOptions, cancellationToken);
        var clipLimit = (int)Math.Min(int.MaxValue, options.MaxDuration.TotalSeconds * RecordingReader.SampleRate);
        var session = new CallSession(reader.Channels, detector, classifier, callOptions.Value, request, clipLimit, options.SilenceThresholdDbfs,
            onUtterance);
        var block = reader.CreateBlock(BlockFrames);
        while (await reader.ReadAsync(block, cancellationToken))
        {
            for (var channel = 0; channel < reader.Channels; channel++)
            {
                session.Push(channel, block.Channel(channel));
            }
            onProgress?.Invoke(reader.FramesRead / (double)RecordingReader.SampleRate);
        }

        if (reader.FramesRead == 0)
        {
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, "The file holds no decodable audio samples.");
        }
        var durationSeconds = reader.FramesRead / (double)RecordingReader.SampleRate;
        new DurationLimits(options).RejectIfTooShort(durationSeconds);
        var audio = new AudioFacts(Math.Round(durationSeconds, 3), reader.Source.SampleRate, reader.Source.Channels);
        var result = session.Complete(durationSeconds, audio);
        onInferenceMeasured?.Invoke(session.InferenceTime);
        return result;
    }

    /// <summary>
    /// Opens the analysis of a live stream of <paramref name="format"/>: the same per-channel tracking as a recording,
    /// but each utterance is classified and told through <paramref name="onUtterance"/> as soon as the detector closes
    /// it, and utterances still going are told as <paramref name="interim"/> says.
    /// </summary>
    /// <exception cref="ArgumentException">The format's sample rate or channel count cannot be analysed.</exception>
    public LiveCall OpenLive(LiveAudioFormat format, AnalysisRequest request, Action<UtteranceEmotion> onUtterance, InterimPolicy interim)
    {
        format.ThrowIfUnsupported();
        // No short-clip energy fallback live: it would keep the first two minutes of every track in memory.
        var session = new CallSession(format.Channels, detector, classifier, callOptions.Value, request, clipLimit: 0,
            analysisOptions.Value.SilenceThresholdDbfs, onUtterance, interim);
        return new LiveCall(session, format, analysisOptions.Value);
    }
}
