using System.Globalization;
using System.Text.RegularExpressions;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Tests.Calls;

/// <summary>
/// The real calls in ../shared/calls, when present (the generated calls in <see cref="CallSessionTests"/> always run):
/// segments must start and end on the speaker turns of the subtitle file and stay out of its pauses, and the answer must be the same twice.
/// </summary>
public sealed partial class RealCallTests(CallFixture fixture) : IClassFixture<CallFixture>
{
    private const double Tolerance = 0.3;

    [Fact]
    public void Callytics_segments_lie_on_its_speaker_turns()
    {
        var wav = SpeechClips.Shared("calls/callytics_call01.wav");
        var srt = SpeechClips.Shared("calls/callytics_call01.srt");
        if (wav is null || srt is null)
        {
            return;   // not on this machine
        }
        var turns = Turns(File.ReadAllText(srt));
        var samples = TestTranscoder.DecodeFile(wav);

        var result = fixture.Analyse([samples], AnalysisRequest.Default);
        var again = fixture.Analyse([samples], AnalysisRequest.Default);

        var segments = result.Channels[0].Segments!;
        Assert.NotEmpty(segments);
        // One mixed channel: a segment may run across a quick hand-over from one speaker to the other, but it always
        // starts and ends in talk, and none sits inside a pause of a second or more between turns.
        foreach (var segment in segments)
        {
            Assert.True(InTalk(turns, segment.Start) && InTalk(turns, segment.End), $"segment {segment.Start:0.00}-{segment.End:0.00} starts or ends in a pause");
        }
        var pauses = turns.Zip(turns.Skip(1), (before, after) => (Start: before.End, End: after.Start)).Where(p => p.End - p.Start >= 1).ToList();
        Assert.NotEmpty(pauses);
        foreach (var pause in pauses)
        {
            Assert.DoesNotContain(segments, s => s.End > pause.Start + Tolerance && s.Start < pause.End - Tolerance);
        }
        // Most of the talking is found: the segments cover at least 80 % of the subtitled turns.
        var covered = turns.Sum(t => segments.Sum(s => Math.Max(0, Math.Min(s.End, t.End) - Math.Max(s.Start, t.Start))));
        Assert.True(covered >= 0.8 * turns.Sum(t => t.End - t.Start), $"segments cover {covered:0.0} s of {turns.Sum(t => t.End - t.Start):0.0} s of turns");
        Assert.Equal(result.ToJson(), again.ToJson());
    }

    private static bool InTalk(List<(double Start, double End)> turns, double time) =>
        turns.Any(t => time >= t.Start - Tolerance && time <= t.End + Tolerance);

    private static List<(double Start, double End)> Turns(string srt) =>
        TimeRange().Matches(srt).Select(m => (Seconds(m.Groups[1].Value), Seconds(m.Groups[2].Value))).ToList();

    private static double Seconds(string stamp) =>
        TimeSpan.ParseExact(stamp, @"hh\:mm\:ss\,fff", CultureInfo.InvariantCulture).TotalSeconds;

    [GeneratedRegex(@"(\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d)")]
    private static partial Regex TimeRange();
}
