using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Decoding;

[CollectionDefinition(nameof(LongRecordingTests), DisableParallelization = true)]
public sealed class LongRecordingCollection;

/// <summary>
/// A 30-minute stereo call decodes in constant memory. Alone in its collection (no other test runs meanwhile), so
/// the process-wide allocation count is this test's own.
/// </summary>
[Collection(nameof(LongRecordingTests))]
public sealed class LongRecordingTests
{
    private const int Seconds = 30 * 60;

    /// <summary>
    /// Everything allocated while decoding must stay under this. Holding the call whole would take 230 MB at 16 kHz
    /// (1800 s * 16000 * 2 channels * 4 bytes), or 29 MB for the file's bytes alone.
    /// </summary>
    private const long AllocationBound = 8 * 1024 * 1024;

    [Fact]
    public async Task A_30_minute_stereo_mulaw_call_decodes_block_by_block_in_bounded_memory()
    {
        var path = Path.Combine(Path.GetTempPath(), $"long-call-{Guid.NewGuid():N}.wav");
        // Agent: a 440 Hz tone on the left; customer: silence on the right. 8 kHz G.711 μ-law, 29 MB.
        TestTranscoder.Generate(path, "-f", "lavfi", "-i", $"aevalsrc=0.5*sin(2*PI*440*t)|0:s=8000:d={Seconds}", "-c:a", "pcm_mulaw");
        try
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            long frames = 0;
            double leftEnergy = 0, rightEnergy = 0;
            await using (var reader = await RecordingReader.OpenFileAsync(path, new RecordingReaderOptions(), CancellationToken.None))
            {
                var block = reader.CreateBlock(16000);
                while (await reader.ReadAsync(block, CancellationToken.None))
                {
                    frames += block.Frames;
                    leftEnergy += Energy(block.Channel(0));
                    rightEnergy += Energy(block.Channel(1));
                }
            }

            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

            Assert.Equal(Seconds * 16000L, frames);
            Assert.True(allocated < AllocationBound, $"allocated {allocated / 1e6:F1} MB while decoding");
            Assert.InRange(Math.Sqrt(leftEnergy / frames), 0.33, 0.38); // 0.5 / sqrt(2)
            Assert.Equal(0, rightEnergy);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Energy(ReadOnlySpan<float> samples)
    {
        var sum = 0.0;
        foreach (var sample in samples)
        {
            sum += sample * sample;
        }

        return sum;
    }
}
