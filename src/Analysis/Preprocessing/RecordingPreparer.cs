using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Analysis.Validation;

namespace SpeechEmotion.Analysis.Preprocessing;

/// <summary>An upload made ready for the model: the waveform to classify and the facts of the original.</summary>
internal sealed record PreparedRecording(ArraySegment<float> ModelInput, AudioInfo Audio);

/// <summary>
/// Everything before the model: sniff the format, decode to 16 kHz mono, check the duration, trim silence, pad.
/// Each step either passes or throws <see cref="AudioRejectedException"/> with its stable code. Trimming is the energy
/// rule of docs/design.md (what the served model was trained on), or Silero VAD when a detector is given and
/// Analysis:Speech:TrimRecordings is on.
/// </summary>
internal sealed class RecordingPreparer
{
    private readonly AnalysisOptions options;
    private readonly DurationLimits durationLimits;
    private readonly AudioDecoder decoder;
    private readonly SpeechDetector? speechDetector;

    public RecordingPreparer(AnalysisOptions options, SpeechDetector? speechDetector = null)
    {
        this.options = options;
        this.speechDetector = speechDetector is { Options.TrimRecordings: true } ? speechDetector : null;
        durationLimits = new DurationLimits(options);
        decoder = new AudioDecoder(options);
    }

    public async Task<PreparedRecording> PrepareAsync(Stream audio, string fileName, CancellationToken cancellationToken)
    {
        var file = await UploadReader.ReadAllAsync(audio, cancellationToken);
        var format = AudioFormatSniffer.Detect(fileName, file.Span);
        var decoded = await decoder.DecodeAsync(file, format, cancellationToken);
        durationLimits.RejectIfTooShort(decoded.DurationSeconds);

        var voiced = speechDetector is null
            ? SilenceTrimmer.TrimOrReject(decoded.Samples, options.SilenceThresholdDbfs)
            : SpeechTrimmer.TrimOrReject(decoded.Samples, speechDetector);
        return new PreparedRecording(ModelInput.CenterPad(voiced), decoded.ToAudioInfo());
    }
}
