using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Analysis.Validation;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// A recording of any length in, an <see cref="EmotionResult"/> out: decode block by block, find speech per channel,
/// classify windows of it in batches, merge them into segments. Holds no per-recording state, so one instance serves
/// all jobs concurrently.
/// </summary>
public sealed class CallAnalyzer(
    IOptions<AnalysisOptions> analysisOptions,
    IOptions<CallOptions> callOptions,
    SpeechDetector detector,
    EmotionClassifier classifier)
{
    /// <summary>Samples handed to the detector and the windows at a time: 0.25 s.</summary>
    private const int BlockSamples = 4096;

    /// <exception cref="AudioRejectedException">The recording cannot be analysed; its Code says why.</exception>
    public async Task<EmotionResult> AnalyzeAsync(Stream audio, string fileName, AnalysisRequest request, CancellationToken cancellationToken)
    {
        var options = analysisOptions.Value;
        var callLimits = new AnalysisOptions
        {
            MinDuration = options.MinDuration, MaxDuration = options.MaxCallDuration, DecodeTimeout = options.DecodeTimeout,
            FfmpegPath = options.FfmpegPath,
        };
        var limits = new DurationLimits(callLimits);
        var file = await UploadReader.ReadAllAsync(audio, cancellationToken);
        var format = AudioFormatSniffer.Detect(fileName, file.Span);
        var decoded = await new AudioDecoder(limits, new FfmpegDecoder(callLimits, limits)).DecodeAsync(file, format, cancellationToken);
        limits.RejectIfTooShort(decoded.DurationSeconds);

        var clipLimit = (int)Math.Min(int.MaxValue, options.MaxDuration.TotalSeconds * DecodedAudio.SampleRate);
        var session = new CallSession(1, detector, classifier, callOptions.Value, request, clipLimit, options.SilenceThresholdDbfs);
        for (var start = 0; start < decoded.Samples.Length; start += BlockSamples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            session.Push(0, decoded.Samples.AsSpan(start, Math.Min(BlockSamples, decoded.Samples.Length - start)));
        }
        var info = decoded.ToAudioInfo();
        return session.Complete(decoded.DurationSeconds, new AudioFacts(info.DurationSeconds, info.SampleRate, info.Channels));
    }
}
