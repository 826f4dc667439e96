using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Tests.Calls;

/// <summary>
/// Generated two-channel calls with known speech: agent on channel 0, customer on channel 1, silences, a noise floor
/// and hold music. Speech is real where ../shared/datasets has RAVDESS, else the synthetic sentences (SyntheticSpeech).
/// </summary>
public sealed class CallSessionTests(CallFixture fixture) : IClassFixture<CallFixture>
{
    private const double Tolerance = 0.3;
    private static readonly AnalysisRequest Split = new(ChannelHandling.Split, ["agent", "customer"]);

    [Fact]
    public void Segments_lie_on_the_speech_of_their_own_channel_within_the_tolerance()
    {
        var call = Call();
        var result = fixture.Analyse(call.Channels, Split);

        Assert.Equal(2, result.Channels.Count);
        for (var channel = 0; channel < 2; channel++)
        {
            var spans = call.Speech.Where(s => s.Channel == channel).ToList();
            var segments = result.Channels[channel].Segments!;
            Assert.NotEmpty(segments);
            // Nothing in a silence, in the hold music, or on the other channel's speech.
            foreach (var segment in segments)
            {
                Assert.True(spans.Any(s => segment.Start >= s.Start - Tolerance && segment.End <= s.End + Tolerance),
                    $"channel {channel}: segment {segment.Start:0.00}-{segment.End:0.00} lies outside its channel's speech");
            }
            // Every piece of speech is found, edges within the tolerance.
            foreach (var span in spans)
            {
                var inside = segments.Where(g => g.End > span.Start && g.Start < span.End).ToList();
                Assert.NotEmpty(inside);
                Assert.InRange(inside.Min(g => g.Start), span.Start - Tolerance, span.Start + Tolerance);
                Assert.InRange(inside.Max(g => g.End), span.End - Tolerance, span.End + Tolerance);
            }
        }
    }

    [Fact]
    public void Each_utterance_is_told_once_on_its_channel_and_a_live_session_tells_the_same_at_once()
    {
        var call = Call();
        var recorded = new List<UtteranceEmotion>();
        var live = new List<UtteranceEmotion>();
        var recordedResult = fixture.Analyse(call.Channels, Split, onUtterance: recorded.Add);
        var liveResult = fixture.Analyse(call.Channels, Split, blockSamples: 320, onUtterance: live.Add, interim: new InterimPolicy(2, 2));

        Assert.All(recorded, u => Assert.True(u.Final));
        var finals = live.Where(u => u.Final).ToList();
        Assert.Equal(recorded.OrderBy(u => (u.Channel, u.Start)).Select(u => (u.Channel, u.Start, u.End, u.Emotion)),
            finals.OrderBy(u => (u.Channel, u.Start)).Select(u => (u.Channel, u.Start, u.End, u.Emotion)));
        foreach (var utterance in finals)
        {
            var spans = call.Speech.Where(s => s.Channel == utterance.Channel).ToList();
            Assert.True(spans.Any(s => utterance.Start >= s.Start - Tolerance && utterance.End <= s.End + Tolerance),
                $"channel {utterance.Channel}: utterance {utterance.Start:0.00}-{utterance.End:0.00} lies outside its channel's speech");
            Assert.Equal(1, utterance.Probabilities.Values.Sum(), 3);
        }
        // Interim answers come while an utterance goes on: each lies inside the final answer that follows it.
        foreach (var interim in live.Where(u => !u.Final))
        {
            var index = live.IndexOf(interim);
            Assert.Contains(live.Skip(index), u => u.Final && u.Channel == interim.Channel && u.Start == interim.Start && u.End > interim.End);
        }
        Assert.Equal(recordedResult.Emotion, liveResult.Emotion);
    }

    [Fact]
    public void Channel_blocks_and_call_figures_add_up()
    {
        var call = Call();
        var result = fixture.Analyse(call.Channels, Split);

        Assert.Equal(["agent", "customer"], result.Channels.Select(c => c.Name));
        for (var channel = 0; channel < 2; channel++)
        {
            var spans = call.Speech.Where(s => s.Channel == channel).ToList();
            var block = result.Channels[channel];
            Assert.InRange(block.SpeechSeconds, spans.Sum(s => s.End - s.Start) - (2 * Tolerance * spans.Count), spans.Sum(s => s.End - s.Start) + (2 * Tolerance * spans.Count));
            Assert.Equal(1, block.Probabilities!.Values.Sum(), 3);
            Assert.Equal(block.Probabilities.MaxBy(p => p.Value).Key, block.Emotion);
            Assert.NotNull(block.FirstQuarter);   // both channels speak in the first and the last quarter
            Assert.NotNull(block.LastQuarter);
        }
        // The one overlap: the customer starts talking one second before the agent stops.
        Assert.Equal(1, result.Call!.OverlapCount);
        Assert.InRange(result.Call.OverlapSeconds, 1 - (2 * Tolerance), 1 + (2 * Tolerance));
        var union = result.Call.SpeechSeconds;
        Assert.Equal(result.Call.DurationSeconds - union, result.Call.NonTalkSeconds, 3);
        Assert.InRange(union, result.Channels.Max(c => c.SpeechSeconds), result.Channels.Sum(c => c.SpeechSeconds));
        Assert.Equal(1, result.Probabilities.Values.Sum(), 3);
    }

    [Fact]
    public void The_same_call_gives_the_same_answer_whatever_the_block_size()
    {
        var call = Call();

        var first = fixture.Analyse(call.Channels, Split, blockSamples: 4096).ToJson();
        var again = fixture.Analyse(call.Channels, Split, blockSamples: 4096).ToJson();
        var otherBlocks = fixture.Analyse(call.Channels, Split, blockSamples: 1000).ToJson();

        Assert.Equal(first, again);
        Assert.Equal(first, otherBlocks);
    }

    [Fact]
    public void Mixed_channels_give_one_block_named_mix_with_no_overlap()
    {
        var call = Call();
        var mixed = call.Channels[0].Zip(call.Channels[1], (a, b) => (a + b) / 2).ToArray();

        var result = fixture.Analyse([mixed], AnalysisRequest.Default);

        var block = Assert.Single(result.Channels);
        Assert.Equal("mix", block.Name);
        Assert.Equal(0, result.Call!.OverlapCount);
        Assert.Equal(block.Emotion, result.Emotion);
    }

    [Fact]
    public void A_long_region_is_windowed_and_its_windows_are_batched_into_segments_that_tile_it()
    {
        // 30 s of continuous speech: clips laid end to end with no pause.
        var clips = SpeechSource.Clips(8);
        var call = new StereoCall(1, 2 + (clips.Sum(c => c.Length) / 16000.0) + 2);
        var at = 1.0;
        foreach (var clip in clips)
        {
            at = call.Speak(0, clip, at);
        }
        call.Noise(-60);

        var result = fixture.Analyse(call.Channels, AnalysisRequest.Default);

        var segments = result.Channels[0].Segments!;
        for (var i = 1; i < segments.Count; i++)
        {
            Assert.True(segments[i].Start >= segments[i - 1].End, "segments overlap");
        }
        Assert.Equal(result.Channels[0].SpeechSeconds, segments.Sum(s => s.End - s.Start), 1);
    }

    [Fact]
    public void A_recording_without_speech_is_no_speech()
    {
        var silent = new StereoCall(1, 200).Noise(-65);   // longer than a clip: no energy-rule fallback

        var rejected = Assert.Throws<AudioRejectedException>(() => fixture.Analyse(silent.Channels, AnalysisRequest.Default));

        Assert.Equal("no_speech", rejected.Code);
    }

    /// <summary>
    /// A 40 s call: silence, the agent speaks at 1 s, the customer answers 1 s before the agent stops (the one
    /// overlap), hold music on the agent's channel from 8 to 14 s, then turns at 16, 22, 30 and 35 s.
    /// Noise floor −60 dBFS.
    /// </summary>
    private static StereoCall Call()
    {
        var clips = SpeechSource.Clips(4);
        var call = new StereoCall(2, 40);
        var agentEnd = call.Speak(0, clips[0], 1.0);
        call.Speak(1, clips[1], agentEnd - 1.0);
        call.Music(0, 8, 6);
        call.Speak(0, clips[2], 16);
        call.Speak(1, clips[3], 22);
        call.Speak(0, clips[1], 30);
        call.Speak(1, clips[0], 35);
        return call.Noise(-60);
    }
}
