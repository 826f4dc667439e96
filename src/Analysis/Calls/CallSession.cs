using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// The analysis of one recording while it streams in: feed each channel's 16 kHz samples with <see cref="Push"/>
/// (blocks of any size), then <see cref="Complete"/> gives the result. One session per recording, fed by one caller.
/// Both an uploaded recording (<see cref="CallAnalyzer"/>) and a live stream (<see cref="LiveCall"/>) run through it;
/// each utterance's emotion is told through <c>onUtterance</c> as soon as it is classified.
/// </summary>
internal sealed class CallSession
{
    private readonly ChannelTrack[] tracks;
    private readonly CallOptions options;
    private readonly AnalysisRequest request;
    private readonly string modelVersion;

    private readonly double silenceThresholdDbfs;

    /// <param name="clipLimit">Samples up to which a recording is a short clip (Analysis:MaxDuration).</param>
    /// <param name="silenceThresholdDbfs">Analysis:SilenceThresholdDbfs, for the short-clip fallback.</param>
    /// <param name="interim">Set for a live stream: each region is classified as it closes, and regions still going get interim answers.</param>
    public CallSession(int channels, SpeechDetector detector, EmotionClassifier classifier, CallOptions options, AnalysisRequest request,
        int clipLimit, double silenceThresholdDbfs, Action<UtteranceEmotion>? onUtterance = null, InterimPolicy? interim = null)
    {
        this.options = options;
        this.silenceThresholdDbfs = silenceThresholdDbfs;
        this.request = request;
        modelVersion = classifier.ModelVersion;
        var fullWindow = (int)Math.Round(options.WindowSeconds * SileroVadModel.SampleRate);
        tracks = Enumerable.Range(0, channels)
            .Select(channel => new ChannelTrack(channel, detector.OpenStream(), new WindowBatcher(classifier, fullWindow, options.BatchSize), options,
                clipLimit, onUtterance, interim))
            .ToArray();
    }

    public int Channels => tracks.Length;

    /// <summary>Time spent in the model so far, all channels together.</summary>
    public TimeSpan InferenceTime => tracks.Aggregate(TimeSpan.Zero, (sum, track) => sum + track.InferenceTime);

    public void Push(int channel, ReadOnlySpan<float> samples) => tracks[channel].Push(samples);

    /// <summary>The recording ended after <paramref name="durationSeconds"/>.</summary>
    /// <exception cref="AudioRejectedException">no_speech when no channel holds any speech.</exception>
    public EmotionResult Complete(double durationSeconds, AudioFacts audio)
    {
        foreach (var track in tracks)
        {
            track.Complete();
        }
        if (tracks.All(track => track.Regions.Count == 0))
        {
            FallBackToEnergyRule();
        }

        var channels = new List<ChannelResult>(tracks.Length);
        var whole = new EmotionAverage();
        for (var channel = 0; channel < tracks.Length; channel++)
        {
            var (result, average) = Summarise(channel, tracks[channel], durationSeconds);
            channels.Add(result);
            whole.Add(average);
        }

        if (whole.IsEmpty)
        {
            throw new AudioRejectedException(ErrorCodes.NoSpeech, "No speech was found in the recording.");
        }

        var mean = whole.Mean();
        var figures = CallTimeline.Figures(tracks.Select(t => t.Regions).ToList(), durationSeconds);
        return new EmotionResult(EmotionLabels.MostProbable(mean), EmotionLabels.ByLabel(mean), modelVersion, audio, figures, channels);
    }

    /// <summary>
    /// A short clip in which the detector heard no speech at all (a hum, a synthetic voice, a very clean studio take)
    /// is analysed as before calls existed: the energy rule trims it (and refuses it as no_speech when it is silent).
    /// A long recording without speech is no_speech.
    /// </summary>
    private void FallBackToEnergyRule()
    {
        AudioRejectedException? lastRejection = null;
        foreach (var track in tracks)
        {
            if (track.ClipSamples is not { } clip)
            {
                continue;
            }
            try
            {
                var voiced = Preprocessing.SilenceTrimmer.TrimOrReject(clip.ToArray(), silenceThresholdDbfs);
                track.AddClipSpeech(voiced.Offset, voiced.Offset + voiced.Count);
            }
            catch (AudioRejectedException rejected)
            {
                lastRejection = rejected;
            }
        }
        if (lastRejection is not null && tracks.All(track => track.Regions.Count == 0))
        {
            throw lastRejection;
        }
    }

    private (ChannelResult Result, EmotionAverage Average) Summarise(int channel, ChannelTrack track, double durationSeconds)
    {
        var windows = track.Windows.OrderBy(w => w.Window.OwnStart).ToList();
        var all = new EmotionAverage();
        var firstQuarter = new EmotionAverage();
        var lastQuarter = new EmotionAverage();
        var quarter = durationSeconds / 4;
        foreach (var (window, probabilities) in windows)
        {
            var (start, end) = (Seconds(window.OwnStart), Seconds(window.OwnEnd));
            all.Add(probabilities, end - start);
            firstQuarter.Add(probabilities, Math.Min(end, quarter) - start);
            lastQuarter.Add(probabilities, end - Math.Max(start, durationSeconds - quarter));
        }

        var overall = all.ToShare();
        var result = new ChannelResult(
            channel,
            request.NameOf(channel),
            overall?.Emotion,
            overall?.Probabilities,
            Math.Round(track.Regions.Sum(r => Math.Min(r.End, durationSeconds) - r.Start), 3),
            firstQuarter.ToShare(),
            lastQuarter.ToShare(),
            Segments(windows));
        return (result, all);
    }

    /// <summary>Neighbouring windows with the same most probable emotion merge, across pauses up to MergeGapSeconds.</summary>
    private List<EmotionSegment> Segments(List<ClassifiedWindow> windows)
    {
        var segments = new List<EmotionSegment>();
        var mergeGap = (long)Math.Round(options.MergeGapSeconds * SileroVadModel.SampleRate);
        var index = 0;
        while (index < windows.Count)
        {
            var emotion = EmotionLabels.MostProbable(windows[index].Probabilities);
            var start = windows[index].Window.OwnStart;
            var end = start;
            var average = new EmotionAverage();
            while (index < windows.Count
                && EmotionLabels.MostProbable(windows[index].Probabilities) == emotion
                && (end == start || windows[index].Window.OwnStart - end <= mergeGap))
            {
                var (window, probabilities) = windows[index];
                average.Add(probabilities, window.OwnEnd - window.OwnStart);
                end = window.OwnEnd;
                index++;
            }
            var mean = average.Mean();
            segments.Add(new EmotionSegment(Math.Round(Seconds(start), 3), Math.Round(Seconds(end), 3), emotion, EmotionLabels.ByLabel(mean)));
        }
        return segments;
    }

    private static double Seconds(long sample) => sample / (double)SileroVadModel.SampleRate;
}
