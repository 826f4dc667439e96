using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Preprocessing;

/// <summary>
/// Cuts a short recording to its speech as Silero VAD hears it: from the first region's start to the last region's
/// end, each already widened by the detector's speech pad. A recording without any region is no_speech. Unlike the
/// energy rule (<see cref="SilenceTrimmer"/>) this judges the recording by what it sounds like, not by an absolute
/// level: quiet speech passes, loud noise and hold music do not (figures: README, Voice activity detection).
/// </summary>
internal static class SpeechTrimmer
{
    public static ArraySegment<float> TrimOrReject(float[] samples, SpeechDetector detector)
    {
        var regions = detector.Detect(samples);
        if (regions.Count == 0)
        {
            throw new AudioRejectedException(ErrorCodes.NoSpeech, "No speech was found in the recording (voice activity detection).");
        }

        var start = (int)regions[0].StartSample;
        var end = (int)Math.Min(regions[^1].EndSample, samples.Length);
        return new ArraySegment<float>(samples, start, end - start);
    }
}
