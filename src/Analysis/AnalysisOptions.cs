namespace SpeechEmotion.Analysis;

/// <summary>Settings of the analysis pipeline, bound from the configuration section "Analysis".</summary>
public sealed class AnalysisOptions
{
    public const string SectionName = "Analysis";

    /// <summary>The ONNX model; a relative path is resolved against the application's base directory.</summary>
    public string ModelPath { get; set; } = "models/emotion-cnn.onnx";

    /// <summary>
    /// Threads ONNX Runtime may use inside one inference. 1 by default: throughput comes from worker processes
    /// and concurrent messages, and extra intra-op threads on a busy box only fight each other.
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Shorter recordings are rejected as too_short; the model needs 0.5 s (8000 samples) to say anything.</summary>
    public TimeSpan MinDuration { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// Recordings up to this long are short clips: a clip in which the speech detector hears nothing is still analysed
    /// by the energy rule. Also the most <see cref="Decoding.AudioDecoder"/> decodes whole (longer is too_long).
    /// </summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Longer recordings (calls, POST /jobs) are rejected as too_long; also bounds how much audio is ever decoded.</summary>
    public TimeSpan MaxCallDuration { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// A clip's decoding (any decoder) must finish within this, or the recording is rejected as corrupt_audio and ffmpeg
    /// killed with its children. A streamed long call is held to it per wait instead: ffmpeg delivering nothing this long.
    /// </summary>
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A recording whose loudest 20 ms frame (RMS, full-scale square wave = 0 dBFS) stays below this is no_speech.
    /// The trimming rule alone only refuses frames below -70 dBFS (digital silence); -50 dBFS also refuses room tone,
    /// line hiss and muted microphones, which the model would otherwise "classify" with made-up confidence (the graph
    /// normalises loudness per utterance, so it would amplify that noise to speech level).
    /// </summary>
    public double SilenceThresholdDbfs { get; set; } = -50;

    /// <summary>The ffmpeg executable: a bare name is looked up on PATH.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>
    /// How often each emotion occurs where the service is deployed, as a weight per label (all seven, any scale,
    /// e.g. neutral 0.6 and the other six 0.4 / 6 for calls). The model's probabilities are re-weighted by Bayes' rule
    /// (<see cref="Inference.ClassPrior"/>). Empty (the default): off, the model's balanced-training probabilities as
    /// they are.
    /// </summary>
    public Dictionary<string, double> ClassPrior { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    internal string ResolveModelPath() =>
        Path.IsPathRooted(ModelPath) ? ModelPath : Path.Combine(AppContext.BaseDirectory, ModelPath);
}
