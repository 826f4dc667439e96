using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Preprocessing;
using SpeechEmotion.Analysis.Validation;

namespace SpeechEmotion.Analysis;

/// <summary>
/// The whole path from an upload to an emotion: sniff the format, decode to 16 kHz mono, check duration, trim
/// silence, classify. Holds no per-request state, so one instance serves all requests concurrently.
/// </summary>
public sealed class RecordingAnalyzer
{
    private readonly AnalysisOptions options;
    private readonly DurationLimits durationLimits;
    private readonly AudioDecoder decoder;
    private readonly EmotionClassifier classifier;

    public RecordingAnalyzer(IOptions<AnalysisOptions> options, EmotionClassifier classifier)
    {
        this.options = options.Value;
        this.classifier = classifier;
        durationLimits = new DurationLimits(this.options);
        decoder = new AudioDecoder(durationLimits, new FfmpegDecoder(this.options, durationLimits));
    }

    /// <exception cref="AudioRejectedException">The upload cannot be analysed; its Code says why.</exception>
    public async Task<EmotionAnalysis> AnalyzeAsync(Stream audio, string fileName, CancellationToken cancellationToken)
    {
        var file = await UploadReader.ReadAllAsync(audio, cancellationToken);
        var format = AudioFormatSniffer.Detect(fileName, file.Span);
        var decoded = await decoder.DecodeAsync(file, format, cancellationToken);
        durationLimits.RejectIfTooShort(decoded.DurationSeconds);

        var voiced = SilenceTrimmer.TrimOrReject(decoded.Samples, options.SilenceThresholdDbfs);
        var probabilities = classifier.Classify(ModelInput.CenterPad(voiced));
        return new EmotionAnalysis(MostProbable(probabilities), ByLabel(probabilities), classifier.ModelVersion, decoded.ToAudioInfo());
    }

    private static string MostProbable(float[] probabilities) =>
        ModelLabels.InOutputOrder[Array.IndexOf(probabilities, probabilities.Max())];

    private static Dictionary<string, float> ByLabel(float[] probabilities) =>
        ModelLabels.InOutputOrder.Select((label, index) => (label, index)).ToDictionary(pair => pair.label, pair => probabilities[pair.index]);
}
