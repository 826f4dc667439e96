using System.Diagnostics;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Preprocessing;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.TestSupport.Audio;

namespace SpeechEmotion.Bench;

/// <summary>
/// Voice activity detection scored on generated calls whose speech is known: real speech clips (RAVDESS from
/// ../shared/datasets, each cut to its speech by a conservative energy trim of the clean clip; the two synthetic
/// test sentences where ../shared is absent) between pauses of 0.5–4 s, with 6–10 s of hold music, over white or pink noise
/// floors from −70 to −35 dBFS, at 16 kHz and through an 8 kHz G.711 μ-law telephone line. Every 10 ms frame is
/// speech when its middle lies in a clip; a detector says speech when its middle lies in one of its regions.
/// Detectors: Silero VAD (src/Analysis/Speech, default options); the energy rule of docs/design.md frame by frame
/// (20 ms frames within 40 dB of the loudest); and the energy trimmer as served (first to last voiced frame + 40 ms,
/// nothing when the loudest frame is under −50 dBFS).
/// </summary>
public static class VadBench
{
    private const int FrameSamples = 160; // 10 ms
    private static readonly double[] NoiseLevels = [-70, -60, -50, -45, -40, -35];
    private static readonly string[] Detectors = ["Silero VAD", "energy frames", "energy trim"];

    public static void Run(int callsPerLevel, int seed)
    {
        var clips = LoadClips(out var source, cut: true);
        using var detector = new SpeechDetector(new SpeechDetectionOptions
        {
            ModelPath = Path.Combine(BenchPaths.RepositoryRoot, "models", "silero-vad.onnx"),
        });
        var rows = new List<string>();
        var audioSeconds = 0.0;
        var sileroTime = TimeSpan.Zero;
        foreach (var telephone in new[] { false, true })
        {
            foreach (var noiseDbfs in NoiseLevels)
            {
                var scores = Detectors.ToDictionary(name => name, _ => new FrameScore());
                for (var index = 0; index < callsPerLevel; index++)
                {
                    var random = new Random(Seeded(seed, index));
                    var call = BuildCall(clips, random);
                    var samples = call.Render(noiseDbfs, index % 2 == 0 ? NoiseColour.White : NoiseColour.Pink, seed: random.Next());
                    if (telephone)
                    {
                        samples = ThroughTelephoneLine(samples);
                    }

                    var truth = Frames(samples.Length, call.Speech.Select(span => (span.Start, span.End)));
                    var stopwatch = Stopwatch.StartNew();
                    var silero = detector.Detect(samples).Select(region => (region.StartSample, region.EndSample));
                    scores["Silero VAD"].Add(truth, Frames(samples.Length, silero));
                    sileroTime += stopwatch.Elapsed;
                    scores["energy frames"].Add(truth, Frames(samples.Length, EnergyFrames(samples)));
                    scores["energy trim"].Add(truth, Frames(samples.Length, EnergyTrim(samples)));
                    audioSeconds += samples.Length / 16000.0;
                }

                var cells = Detectors.Select(name => scores[name].ToString());
                rows.Add($"| {(telephone ? "8 kHz G.711" : "16 kHz"),-11} | {noiseDbfs,5:0} | {string.Join(" | ", cells)} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"vad: {callsPerLevel} generated calls per row (white and pink floors alternating), seed {seed}, speech from {source}; " +
            $"10 ms frames, precision / recall / F1; {Report.Machine}");
        Console.WriteLine($"| {"line",-11} | noise dBFS | {string.Join(" | ", Detectors.Select(name => $"{name} P / R / F1"))} |");
        Console.WriteLine($"|{new string('-', 13)}|------:|{string.Join("|", Detectors.Select(_ => "---:"))}|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine($"Silero VAD: {audioSeconds / 60:0.0} min of audio in {sileroTime.TotalSeconds:0.0} s " +
            $"({audioSeconds / sileroTime.TotalSeconds:0}× real time, one stream, 1 intra-op thread).");
    }

    /// <summary>About a minute: 8 utterances between pauses, hold music somewhere in the middle.</summary>
    private static GeneratedCall BuildCall(IReadOnlyList<float[]> clips, Random random)
    {
        var call = new GeneratedCall().Pause(0.5 + (random.NextDouble() * 3.5));
        var musicAfter = random.Next(2, 6);
        for (var utterance = 0; utterance < 8; utterance++)
        {
            call.Speak(clips[random.Next(clips.Count)], -32 + (random.NextDouble() * 12)).Pause(0.5 + (random.NextDouble() * 3.5));
            if (utterance == musicAfter)
            {
                call.Music(6 + (random.NextDouble() * 4), -30 + (random.NextDouble() * 10)).Pause(0.5 + (random.NextDouble() * 2));
            }
        }

        return call;
    }

    /// <summary>
    /// The short-clip path: each whole clip (acted silence at both ends included) at its recorded level over a noise
    /// floor; truth is the clip's conservative speech span; each detector keeps one span (Silero: first region to last,
    /// as the preparer cuts) or says no_speech.
    /// </summary>
    public static void RunShortClips(int seed)
    {
        var clips = LoadClips(out var source, cut: false);
        using var detector = new SpeechDetector(new SpeechDetectionOptions
        {
            ModelPath = Path.Combine(BenchPaths.RepositoryRoot, "models", "silero-vad.onnx"),
        });
        Console.WriteLine();
        Console.WriteLine($"vad short clips: {clips.Count} whole clips from {source} per row, white noise, seed {seed}; kept span scored in 10 ms frames, " +
            "precision / recall / F1, and clips refused as no_speech");
        Console.WriteLine("| noise dBFS | Silero VAD P / R / F1 | Silero no_speech | energy trim P / R / F1 | energy no_speech |");
        Console.WriteLine("|------:|---:|---:|---:|---:|");
        foreach (var noiseDbfs in new[] { double.NegativeInfinity, -70, -60, -50, -45, -40 })
        {
            var silero = new FrameScore();
            var energy = new FrameScore();
            int sileroRefused = 0, energyRefused = 0;
            foreach (var (clip, index) in clips.Select((clip, index) => (clip, index)))
            {
                var samples = new GeneratedCall().Speak(clip, GeneratedCall.RmsDbfs(clip)).Render(noiseDbfs, NoiseColour.White, Seeded(seed, index));
                var speech = GeneratedCall.CutToSpeech(clip);
                var start = FindOffset(clip, speech);
                var truth = Frames(samples.Length, [(start, start + speech.Length)]);
                var regions = detector.Detect(samples);
                sileroRefused += regions.Count == 0 ? 1 : 0;
                silero.Add(truth, Frames(samples.Length, regions.Count == 0 ? [] : [(regions[0].StartSample, regions[^1].EndSample)]));
                var trimmed = EnergyTrim(samples).ToList();
                energyRefused += trimmed.Count == 0 ? 1 : 0;
                energy.Add(truth, Frames(samples.Length, trimmed));
            }

            Console.WriteLine($"| {(double.IsNegativeInfinity(noiseDbfs) ? "none" : noiseDbfs.ToString("0")),5} | {silero} | {sileroRefused} | {energy} | {energyRefused} |");
        }
    }

    /// <summary>Short uploads with no speech at all: how many of 20 each path would pass to the emotion model.</summary>
    public static void RunNoSpeechClips(int seed)
    {
        using var detector = new SpeechDetector(new SpeechDetectionOptions
        {
            ModelPath = Path.Combine(BenchPaths.RepositoryRoot, "models", "silero-vad.onnx"),
        });
        (string Name, Func<int, float[]> Make)[] kinds =
        [
            ("white noise -60 dBFS", index => new GeneratedCall().Pause(3).Render(-60, NoiseColour.White, Seeded(seed, index))),
            ("white noise -45 dBFS", index => new GeneratedCall().Pause(3).Render(-45, NoiseColour.White, Seeded(seed, index))),
            ("pink noise -35 dBFS", index => new GeneratedCall().Pause(3).Render(-35, NoiseColour.Pink, Seeded(seed, index))),
            ("hold music -25 dBFS + white -60", index => new GeneratedCall().Music(2 + (index % 4), -25).Render(-60, NoiseColour.White, Seeded(seed, index))),
        ];
        Console.WriteLine();
        Console.WriteLine("vad no-speech clips: 20 clips of 2–5 s per row; how many each path accepts (should be 0)");
        Console.WriteLine("| clip | Silero VAD accepts | energy trim accepts |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, make) in kinds)
        {
            var clips = Enumerable.Range(0, 20).Select(make).ToList();
            Console.WriteLine($"| {name} | {clips.Count(clip => detector.Detect(clip).Count > 0)} | {clips.Count(clip => EnergyTrim(clip).Any())} |");
        }
    }

    /// <summary>
    /// A real call, when ../shared/calls is here: callytics_call01 (73.5 s, 8 kHz, role-played over a mobile line)
    /// scored against the speaker turns of its subtitle file. Turns include the short pauses inside them, so this is a
    /// plausibility check (recall should be high), not a frame-exact truth.
    /// </summary>
    public static void RunRealCall()
    {
        var folder = Path.GetFullPath(Path.Combine(BenchPaths.RepositoryRoot, "..", "shared", "calls"));
        var audio = Path.Combine(folder, "callytics_call01.wav");
        var subtitles = Path.Combine(folder, "callytics_call01.srt");
        if (!File.Exists(audio) || !File.Exists(subtitles))
        {
            Console.WriteLine();
            Console.WriteLine("vad real call: ../shared/calls/callytics_call01 not found, skipped");
            return;
        }

        var samples = TestTranscoder.DecodeFile(audio);
        var turns = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(subtitles),
                @"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)")
            .Select(match => (SrtSample(match, 1), SrtSample(match, 5))).ToList();
        using var detector = new SpeechDetector(new SpeechDetectionOptions
        {
            ModelPath = Path.Combine(BenchPaths.RepositoryRoot, "models", "silero-vad.onnx"),
        });
        var truth = Frames(samples.Length, turns);
        var silero = new FrameScore();
        silero.Add(truth, Frames(samples.Length, detector.Detect(samples).Select(region => (region.StartSample, region.EndSample))));
        var energy = new FrameScore();
        energy.Add(truth, Frames(samples.Length, EnergyFrames(samples)));
        Console.WriteLine();
        Console.WriteLine($"vad real call: callytics_call01, {samples.Length / 16000.0:0.0} s, {turns.Count} subtitle turns as truth; 10 ms frames P / R / F1");
        Console.WriteLine($"| Silero VAD | {silero} |");
        Console.WriteLine($"| energy frames | {energy} |");
    }

    private static long SrtSample(System.Text.RegularExpressions.Match match, int group)
    {
        int Part(int offset) => int.Parse(match.Groups[group + offset].Value);
        return (long)((((Part(0) * 3600) + (Part(1) * 60) + Part(2)) * 1000L) + Part(3)) * 16;
    }

    /// <summary>A seed per item that is the same in every run (HashCode.Combine is randomised per process).</summary>
    private static int Seeded(int seed, int index) => (seed * 7919) + index;

    /// <summary>Where CutToSpeech's piece starts inside the clip (it is a slice of whole 20 ms frames).</summary>
    private static int FindOffset(float[] clip, float[] piece)
    {
        for (var offset = 0; offset + piece.Length <= clip.Length; offset += 320)
        {
            if (clip.AsSpan(offset, piece.Length).SequenceEqual(piece))
            {
                return offset;
            }
        }

        throw new InvalidOperationException("the speech piece is not a slice of its clip");
    }

    private static List<float[]> LoadClips(out string source, bool cut)
    {
        var ravdess = Path.GetFullPath(Path.Combine(BenchPaths.RepositoryRoot, "..", "shared", "datasets", "ravdess"));
        var files = Directory.Exists(ravdess)
            ? Directory.GetFiles(ravdess, "*.flac", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Where((_, index) => index % 25 == 0).ToList()
            : [];
        source = files.Count > 0 ? $"{files.Count} RAVDESS clips (every 25th)" : "the two synthetic test sentences (../shared/datasets absent)";
        var clips = files.Count > 0 ? files.Select(file => TestTranscoder.DecodeFile(file)).ToList() : [SyntheticSpeech.Agent, SyntheticSpeech.Customer];
        return clips.Select(clip => cut ? GeneratedCall.CutToSpeech(clip) : clip).ToList();
    }

    /// <summary>Band-limited to 300–3400 Hz, 8 kHz μ-law, back to 16 kHz: what a G.711 leg hands the decoder.</summary>
    private static float[] ThroughTelephoneLine(float[] samples)
    {
        var folder = Directory.CreateTempSubdirectory("bench-vad-");
        try
        {
            var raw = Path.Combine(folder.FullName, "call.f32");
            var bytes = new byte[samples.Length * sizeof(float)];
            Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(raw, bytes);
            var line = Path.Combine(folder.FullName, "line.wav");
            Ffmpeg("-f", "f32le", "-ar", "16000", "-ac", "1", "-i", raw, "-af", "highpass=f=300,lowpass=f=3400", "-ar", "8000", "-c:a", "pcm_mulaw", line);
            var back = TestTranscoder.DecodeFile(line);
            return back.Length >= samples.Length ? back[..samples.Length] : [.. back, .. new float[samples.Length - back.Length]];
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void Ffmpeg(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-y", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {errors}");
        }
    }

    private static IEnumerable<(long, long)> EnergyFrames(float[] samples)
    {
        var voiced = SilenceTrimmer.VoicedFrames(SilenceTrimmer.FrameEnergies(samples));
        return voiced.Select((isVoiced, frame) => (isVoiced, frame)).Where(pair => pair.isVoiced)
            .Select(pair => ((long)pair.frame * SilenceTrimmer.FrameLength, (long)(pair.frame + 1) * SilenceTrimmer.FrameLength));
    }

    private static IEnumerable<(long, long)> EnergyTrim(float[] samples)
    {
        try
        {
            var kept = SilenceTrimmer.TrimOrReject(samples, new AnalysisOptions().SilenceThresholdDbfs);
            return [(kept.Offset, kept.Offset + kept.Count)];
        }
        catch (AudioRejectedException)
        {
            return [];
        }
    }

    /// <summary>Whether the middle of each 10 ms frame lies inside one of the spans.</summary>
    private static bool[] Frames(int length, IEnumerable<(long Start, long End)> spans)
    {
        var frames = new bool[length / FrameSamples];
        foreach (var (start, end) in spans)
        {
            for (var frame = Math.Max(0, (start - (FrameSamples / 2) + FrameSamples - 1) / FrameSamples); frame < frames.Length && (frame * FrameSamples) + (FrameSamples / 2) < end; frame++)
            {
                frames[frame] = true;
            }
        }

        return frames;
    }

    private sealed class FrameScore
    {
        private long truePositives;
        private long falsePositives;
        private long falseNegatives;

        public void Add(bool[] truth, bool[] detected)
        {
            for (var i = 0; i < truth.Length; i++)
            {
                truePositives += truth[i] && detected[i] ? 1 : 0;
                falsePositives += !truth[i] && detected[i] ? 1 : 0;
                falseNegatives += truth[i] && !detected[i] ? 1 : 0;
            }
        }

        public override string ToString()
        {
            var precision = truePositives / (double)Math.Max(1, truePositives + falsePositives);
            var recall = truePositives / (double)Math.Max(1, truePositives + falseNegatives);
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            return $"{precision:0.00} / {recall:0.00} / {f1:0.00}";
        }
    }
}
