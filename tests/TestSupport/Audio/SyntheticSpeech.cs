namespace SpeechEmotion.TestSupport.Audio;

/// <summary>
/// Speech-like sentences made in code, so that tests needing audio that a voice activity detector hears as speech
/// commit no recording. A small formant synthesiser in the manner of Klatt's cascade synthesiser: a Rosenberg glottal
/// pulse train with a falling intonation, accents and a little jitter, through four cascaded resonators (the first
/// three glide between vowel formants, the fourth stays at 3.5 kHz), with fricatives, stop bursts and nasal murmurs
/// at a fixed low pitch between the vowels. 16 kHz mono, one breath group (no inner
/// pause longer than a stop's closure), peak 0.8. The same arguments give the same samples. Silero VAD hears each
/// sentence as one region from its start to its end (SyntheticSpeechTests, 24 sentences).
/// </summary>
public static class SyntheticSpeech
{
    public const int SampleRate = 16000;

    // F1, F2, F3 of American English vowels (Peterson and Barney, 1952; men's averages, scaled for higher voices).
    private static readonly double[][] Vowels =
    [
        [730, 1090, 2440], [270, 2290, 3010], [300, 870, 2240], [530, 1840, 2480],
        [570, 840, 2410], [660, 1720, 2410], [490, 1350, 1690], [440, 1020, 2240],
    ];

    private static readonly float[] AgentSentence = Sentence(seed: 1, pitchHz: 115, syllables: 16, formantScale: 1.0);
    private static readonly float[] CustomerSentence = Sentence(seed: 2, pitchHz: 205, syllables: 14, formantScale: 1.15);

    /// <summary>A low voice, 4.1 s: what the agent says in the tests' calls (a copy: tests run in parallel).</summary>
    public static float[] Agent => (float[])AgentSentence.Clone();

    /// <summary>A higher voice, 3.6 s: what the customer says in the tests' calls (a copy).</summary>
    public static float[] Customer => (float[])CustomerSentence.Clone();

    /// <summary>A sentence of <paramref name="syllables"/> consonant-vowel syllables around <paramref name="pitchHz"/>.</summary>
    public static float[] Sentence(int seed, double pitchHz, int syllables, double formantScale)
    {
        var random = new Random(seed);
        var voice = new Voice(random, formantScale);
        var samples = new List<float>();
        for (var index = 0; index < syllables; index++)
        {
            // Declination: the pitch falls from 15 % above to 15 % below pitchHz over the sentence, with an accent
            // on about every third syllable.
            var progress = index / (double)Math.Max(syllables - 1, 1);
            var accented = random.NextDouble() < 0.35;
            var pitch = pitchHz * (1.15 - (0.3 * progress)) * (accented ? 1.12 : 1.0);
            samples.AddRange(Consonant(random, voice));

            var seconds = index == syllables - 1 ? 0.3 : 0.12 + (0.12 * random.NextDouble());
            samples.AddRange(voice.Vowel(Vowels[random.Next(Vowels.Length)], pitch, seconds, accented ? 1.0 : 0.6));
        }

        var peak = samples.Max(Math.Abs);
        return samples.Select(sample => sample / peak * 0.8f).ToArray();
    }

    private static float[] Consonant(Random random, Voice voice) => random.Next(3) switch
    {
        0 => Noise(random, seconds: 0.06 + (0.05 * random.NextDouble()), centreHz: 2500 + (2500 * random.NextDouble()), level: 0.25),
        1 => [.. new float[(int)(0.04 * SampleRate)], .. Noise(random, seconds: 0.015, centreHz: 1500 + (2000 * random.NextDouble()), level: 0.5)],
        _ => voice.Nasal(seconds: 0.05 + (0.03 * random.NextDouble())),
    };

    /// <summary>Band-pass noise under a Hann envelope: a fricative or a stop's burst.</summary>
    private static float[] Noise(Random random, double seconds, double centreHz, double level)
    {
        var length = (int)(seconds * SampleRate);
        var filter = new Resonator(centreHz, bandwidthHz: 900);
        var noise = new float[length];
        for (var i = 0; i < length; i++)
        {
            var hann = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / Math.Max(length - 1, 1)));
            noise[i] = (float)(level * hann * filter.Next((2 * random.NextDouble()) - 1));
        }

        return noise;
    }

    /// <summary>The vocal tract and the glottis, kept from one syllable to the next so that formants glide.</summary>
    private sealed class Voice(Random random, double formantScale)
    {
        private const double GlideSeconds = 0.04;
        private readonly Resonator[] tract = [new(500, 80), new(1500, 100), new(2500, 140), new(3500, 200)];
        private double[] formants = [500, 1500, 2500];
        private double lastPitch = 150 * formantScale;
        private double phase;
        private double previousFlow;

        public float[] Vowel(double[] target, double pitchHz, double seconds, double loudness)
        {
            var scaled = target.Select(hz => hz * formantScale).ToArray();
            var length = (int)(seconds * SampleRate);
            var output = new float[length];
            for (var i = 0; i < length; i++)
            {
                var glide = Math.Min(1, i / (GlideSeconds * SampleRate));
                for (var f = 0; f < 3; f++)
                {
                    tract[f].Tune(formants[f] + ((scaled[f] - formants[f]) * glide));
                }

                // The pitch moves within each vowel too (a steady tone is what speech is not): 6 % down across it.
                var contour = pitchHz * (1.03 - (0.06 * i / length));
                output[i] = (float)(loudness * Ramp(i, length) * Shape(Glottis(lastPitch + ((contour - lastPitch) * glide))));
            }

            formants = scaled;
            lastPitch = pitchHz * 0.97;
            return output;
        }

        /// <summary>A nasal murmur: voicing through a low first formant, quieter than a vowel.</summary>
        public float[] Nasal(double seconds)
        {
            var length = (int)(seconds * SampleRate);
            tract[0].Tune(250);
            tract[1].Tune(1100 * formantScale);
            var output = new float[length];
            for (var i = 0; i < length; i++)
            {
                output[i] = (float)(0.3 * Ramp(i, length) * Shape(Glottis(110 * formantScale)));
            }

            return output;
        }

        private double Shape(double source) => tract.Aggregate(source, (signal, resonator) => resonator.Next(signal));

        /// <summary>
        /// The derivative of a Rosenberg pulse (what radiates from the lips; open 40 % of a period, closing over the next
        /// 16 %), with breath noise and a random ±1 % on each sample's phase step (about 0.1 % jitter a period).
        /// </summary>
        private double Glottis(double pitchHz)
        {
            phase += pitchHz * (1 + (0.01 * ((2 * random.NextDouble()) - 1))) / SampleRate;
            phase -= Math.Floor(phase);
            var flow = phase < 0.4 ? 0.5 * (1 - Math.Cos(Math.PI * phase / 0.4))
                : phase < 0.56 ? Math.Cos(Math.PI * (phase - 0.4) / 0.32)
                : 0;
            var derivative = flow - previousFlow;
            previousFlow = flow;
            return (derivative * 20) + (0.02 * ((2 * random.NextDouble()) - 1));
        }

        private static double Ramp(int i, int length) => Math.Min(1, Math.Min(i, length - 1 - i) / (0.015 * SampleRate));
    }

    /// <summary>A two-pole resonator at unit gain at zero frequency (Klatt, 1980), retunable sample by sample.</summary>
    private sealed class Resonator
    {
        private readonly double pole;
        private double a, b, c, y1, y2;

        public Resonator(double centreHz, double bandwidthHz)
        {
            pole = Math.Exp(-Math.PI * bandwidthHz / SampleRate);
            Tune(centreHz);
        }

        public void Tune(double hz)
        {
            c = -(pole * pole);
            b = 2 * pole * Math.Cos(2 * Math.PI * hz / SampleRate);
            a = 1 - b - c;
        }

        public double Next(double x)
        {
            var y = (a * x) + (b * y1) + (c * y2);
            (y2, y1) = (y1, y);
            return y;
        }
    }
}
