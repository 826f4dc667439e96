using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Preprocessing;

/// <summary>
/// Cuts leading and trailing silence by the rule in docs/design.md, the same rule training applied
/// (training/audio.py, trim_silence): 20 ms frames, a frame is voiced within 40 dB of the loudest frame and above
/// 1e-7 mean square, keep first..last voiced frame plus 2 frames either side. Any drift between the two
/// implementations would feed the model audio it never saw in training, so keep them identical.
/// </summary>
internal static class SilenceTrimmer
{
    public const int FrameLength = 320;
    public const int MarginFrames = 2;
    private const double RelativeThresholdDb = -40;
    private const double EnergyFloor = 1e-7;

    /// <summary>
    /// The voiced part of <paramref name="samples"/>, or no_speech when nothing is voiced or when even the loudest
    /// frame is quieter than <paramref name="silenceThresholdDbfs"/>.
    /// </summary>
    public static ArraySegment<float> TrimOrReject(float[] samples, double silenceThresholdDbfs)
    {
        var energies = FrameEnergies(samples);
        var loudestDbfs = energies.Length == 0 ? double.NegativeInfinity : 10 * Math.Log10(energies.Max());
        if (loudestDbfs < silenceThresholdDbfs)
        {
            throw new AudioRejectedException(ErrorCodes.NoSpeech,
                $"The recording is silent or nearly so (loudest moment {loudestDbfs:0.#} dBFS, below {silenceThresholdDbfs:0.#} dBFS).");
        }

        var voiced = Trim(samples, energies);
        if (voiced.Count == 0)
        {
            throw new AudioRejectedException(ErrorCodes.NoSpeech, "The recording contains no audible sound.");
        }

        return voiced;
    }

    /// <summary>The rule itself; empty when no frame is voiced.</summary>
    public static ArraySegment<float> Trim(float[] samples) => Trim(samples, FrameEnergies(samples));

    /// <summary>Mean square of each whole 20 ms frame; a trailing partial frame is not a frame (as in training).</summary>
    public static double[] FrameEnergies(ReadOnlySpan<float> samples)
    {
        var energies = new double[samples.Length / FrameLength];
        for (var frame = 0; frame < energies.Length; frame++)
        {
            var sum = 0.0;
            foreach (var sample in samples.Slice(frame * FrameLength, FrameLength))
            {
                sum += (double)sample * sample;
            }

            energies[frame] = sum / FrameLength;
        }

        return energies;
    }

    /// <summary>Which 20 ms frames the rule calls voiced: within 40 dB of the loudest frame and above the energy floor.</summary>
    public static bool[] VoicedFrames(double[] energies)
    {
        if (energies.Length == 0)
        {
            return [];
        }

        var threshold = Math.Max(energies.Max() * Math.Pow(10, RelativeThresholdDb / 10), EnergyFloor);
        return Array.ConvertAll(energies, energy => energy >= threshold);
    }

    private static ArraySegment<float> Trim(float[] samples, double[] energies)
    {
        if (energies.Length == 0)
        {
            return ArraySegment<float>.Empty;
        }

        var voiced = VoicedFrames(energies);
        var firstVoiced = Array.IndexOf(voiced, true);
        if (firstVoiced < 0)
        {
            return ArraySegment<float>.Empty;
        }

        var lastVoiced = Array.LastIndexOf(voiced, true);
        var firstKept = Math.Max(firstVoiced - MarginFrames, 0);
        var lastKept = Math.Min(lastVoiced + MarginFrames, energies.Length - 1);
        return new ArraySegment<float>(samples, firstKept * FrameLength, (lastKept - firstKept + 1) * FrameLength);
    }
}
