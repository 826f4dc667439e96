using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Validation;

namespace SpeechEmotion.Analysis.Preprocessing;

/// <summary>An upload made ready for the model: the waveform to classify and the facts of the original.</summary>
internal sealed record PreparedRecording(ArraySegment<float> ModelInput, AudioInfo Audio);

/// <summary>
/// Everything before the model: sniff the format, decode to 16 kHz mono, check the duration, trim silence, pad.
/// Each step either passes or throws <see cref="AudioRejectedException"/> with its stable code.
/// </summary>
internal sealed class RecordingPreparer
{
    private readonly AnalysisOptions options;
    private readonly DurationLimits durationLimits;
    private readonly AudioDecoder decoder;

    public RecordingPreparer(AnalysisOptions options)
    {
        this.options = options;
        durationLimits = new DurationLimits(options);
        decoder = new AudioDecoder(options);
    }

    public async Task<PreparedRecording> PrepareAsync(Stream audio, string fileName, CancellationToken cancellationToken)
    {
        var file = await UploadReader.ReadAllAsync(audio, cancellationToken);
        var format = AudioFormatSniffer.Detect(fileName, file.Span);
        var decoded = await decoder.DecodeAsync(file, format, cancellationToken);
        durationLimits.RejectIfTooShort(decoded.DurationSeconds);

        var voiced = SilenceTrimmer.TrimOrReject(decoded.Samples, options.SilenceThresholdDbfs);
        return new PreparedRecording(ModelInput.CenterPad(voiced), decoded.ToAudioInfo());
    }
}
