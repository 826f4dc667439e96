using Microsoft.ML.OnnxRuntime;

namespace SpeechEmotion.Analysis.Speech;

/// <summary>
/// The Silero VAD graph (models/silero-vad.onnx, see models/silero-vad.SOURCE.md): one <see cref="InferenceSession"/>
/// per process, shared by every stream because its Run is thread-safe; the recurrent state and the audio context live
/// in each caller's <see cref="SpeechStream"/>. Contract, as the reference OnnxWrapper feeds it at 16 kHz:
/// input float [1, 64 + 512] (the last 64 samples of the previous window, then the window), state float [2, 1, 128],
/// sr int64 scalar; outputs the speech probability [1, 1] and the next state.
/// </summary>
public sealed class SileroVadModel : IDisposable
{
    public const int SampleRate = 16000;
    public const int WindowSamples = 512;
    public const int ContextSamples = 64;
    public const int StateLength = 2 * 1 * 128;

    private static readonly string[] InputNames = ["input", "state", "sr"];
    private static readonly string[] OutputNames = ["output", "stateN"];
    private static readonly long[] InputShape = [1, ContextSamples + WindowSamples];
    private static readonly long[] StateShape = [2, 1, 128];

    private readonly InferenceSession session;
    private readonly OrtValue sampleRate = OrtValue.CreateTensorValueFromMemory(new long[] { SampleRate }, []);

    private readonly Inference.SessionLifetime lifetime;

    public SileroVadModel(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"The speech detection model was not found at '{modelPath}' (Analysis:Speech:ModelPath).", modelPath);
        }

        // One thread per run, as the reference wrapper and the emotion classifier: a run is ~0.1 ms of work, and
        // concurrency comes from many streams, not from splitting one window.
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        session = new InferenceSession(modelPath, sessionOptions);
        var missing = InputNames.Where(name => !session.InputMetadata.ContainsKey(name))
            .Concat(OutputNames.Where(name => !session.OutputMetadata.ContainsKey(name))).ToList();
        if (missing.Count > 0)
        {
            session.Dispose();
            throw new InvalidOperationException(
                $"'{modelPath}' is not a Silero VAD v5/v6 graph: it lacks {string.Join(", ", missing)}.");
        }
        lifetime = new Inference.SessionLifetime(this, session, sampleRate);
    }

    /// <summary>
    /// The speech probability of one window. <paramref name="input"/> holds 64 context samples then 512 new ones;
    /// <paramref name="state"/> (256 floats) is read and replaced by the next state.
    /// </summary>
    public float Run(float[] input, float[] state)
    {
        if (input.Length != ContextSamples + WindowSamples || state.Length != StateLength)
        {
            throw new ArgumentException($"Silero takes {ContextSamples + WindowSamples} input samples and {StateLength} state values.");
        }

        return lifetime.Run(() =>
        {
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, InputShape);
            using var stateValue = OrtValue.CreateTensorValueFromMemory(state, StateShape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, InputNames, [inputValue, stateValue, sampleRate], OutputNames);
            outputs[1].GetTensorDataAsSpan<float>().CopyTo(state);
            return outputs[0].GetTensorDataAsSpan<float>()[0];
        });
    }

    public void Dispose() => lifetime.Dispose();
}
