using SpeechEmotion.Analysis.Speech;

namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>One Silero session for a test class, as a process has one.</summary>
public sealed class SpeechDetectorFixture : IDisposable
{
    public SpeechDetector Detector { get; } = new(new SpeechDetectionOptions());

    public void Dispose() => Detector.Dispose();
}
