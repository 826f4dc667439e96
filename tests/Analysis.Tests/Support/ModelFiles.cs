namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>The models and parity references, copied next to the test assembly by the project files.</summary>
internal static class ModelFiles
{
    public static string Cnn => Path.Combine(AppContext.BaseDirectory, "models", "emotion-cnn.onnx");

    public static string Baseline => Path.Combine(AppContext.BaseDirectory, "models", "emotion-baseline.onnx");

    public static string Reference(string fileName) => Path.Combine(AppContext.BaseDirectory, "models", "reference", fileName);
}
