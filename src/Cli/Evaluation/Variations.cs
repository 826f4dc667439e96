using System.Globalization;

namespace SpeechEmotion.Cli.Evaluation;

/// <summary>
/// The conditions <c>evaluate</c> measures, each on the same clips: the clip as it is, and with <c>--perturb</c> the
/// robustness variations of issue 10.
/// </summary>
public static class Variations
{
    /// <summary>The file as it is, through the service's whole path.</summary>
    public const string Clean = "clean";

    /// <summary>300–3400 Hz, 8 kHz, G.711 μ-law WAV, decoded and resampled by the service.</summary>
    public const string Telephone = "telephone";

    /// <summary>The decoded clip straight into the ONNX graph: no speech detection, no trimming.</summary>
    public const string Untrimmed = "untrimmed";

    /// <summary>Room-noise floors under the padded clip, RMS dBFS.</summary>
    public static IReadOnlyList<double> NoiseLevelsDbfs { get; } = [-70, -50, -35];

    public static string RoomNoise(double levelDbfs) =>
        string.Create(CultureInfo.InvariantCulture, $"padded+noise{levelDbfs:0}dBFS");

    public static IReadOnlyList<string> Perturbed { get; } =
        [.. NoiseLevelsDbfs.Select(RoomNoise), Telephone, Untrimmed];

    /// <summary>
    /// The clean clips' probabilities normalised per speaker at <paramref name="strength"/> α
    /// (<see cref="Analysis.Inference.SpeakerNormalisation"/>): every clip of one speaker treated as the windows of one
    /// call's channel. Computed from the clean row's probabilities, no new audio.
    /// </summary>
    public static string SpeakerNormalised(double strength) =>
        string.Create(CultureInfo.InvariantCulture, $"speaker-normalised-{strength:0.###}");

    /// <summary>The rows of a request, clean first.</summary>
    public static IReadOnlyList<string> Measured(EvaluationRequest request) =>
        [Clean, .. request.Perturb ? Perturbed : [], .. request.SpeakerNormalisation.Select(SpeakerNormalised)];
}
