using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Every format the managed decoders do not take (GSM 6.10 WAV, Opus/Vorbis in Ogg, FLAC, AAC, WebM...) streams
/// through ONE ffmpeg child process per recording: the recording goes in on stdin (or as a path), 16 kHz float32 with
/// the source's channels comes out on stdout, read block by block as the consumer asks, so memory stays flat however
/// long the call. Process is driven directly rather than through FFMpegCore: one spawn (the source facts come from
/// the same run's log, no ffprobe), a hard kill of the process tree, and three pipes served at once: stdin fed and
/// stderr drained in the background (ffmpeg blocks if either stalls), stdout read by the consumer. Arguments go
/// through ArgumentList, never a shell, so a file name can never become a command.
/// </summary>
internal sealed class FfmpegPcmSource : PcmSource
{
    /// <summary>The stream description is at the top of the log; keeping more only costs memory on noisy files.</summary>
    private const int MaxLogChars = 32 * 1024;

    /// <summary>
    /// ffmpeg decodes up to this much past MaxDuration: enough to tell "longer than allowed" from "exactly the
    /// limit" (codec padding adds a few ms), small enough that a huge upload costs at most MaxDuration + 0.5 s of work.
    /// </summary>
    private static readonly TimeSpan DecodeMargin = TimeSpan.FromSeconds(0.5);

    private readonly Process process;
    private readonly RecordingReaderOptions options;
    private readonly string? tempFile;
    private readonly StringBuilder log = new();
    private readonly TaskCompletionSource headerSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stall = new();
    private readonly Task logTask;
    private readonly Task feedTask;
    private byte[] bytes = [];
    private int carried;
    private volatile bool stalled;
    private RecordingFacts? facts;

    private FfmpegPcmSource(Process process, RecordingReaderOptions options, Stream? input, string? tempFile)
    {
        this.process = process;
        this.options = options;
        this.tempFile = tempFile;
        stall.Token.Register(() =>
        {
            stalled = true;
            KillTree();
        });
        logTask = DrainLogAsync(process.StandardError);
        feedTask = input is null ? CloseAsync(process.StandardInput.BaseStream) : FeedAsync(input, process.StandardInput.BaseStream);
    }

    public override RecordingFacts Facts => facts ?? throw new InvalidOperationException("Not started.");

    public override int SampleRate => RecordingReader.SampleRate;

    /// <summary>
    /// Starts ffmpeg on <paramref name="input"/> (a stream fed through stdin) or <paramref name="path"/>, and waits
    /// until it has described the source.
    /// </summary>
    /// <exception cref="AudioRejectedException">corrupt_audio when ffmpeg cannot read it, or stalls.</exception>
    public static async Task<FfmpegPcmSource> StartAsync(
        Stream? input, string? path, AudioFormat format, RecordingReaderOptions options, CancellationToken cancellationToken)
    {
        string? tempFile = null;
        if (path is null && format.NeedsSeekableInput())
        {
            // MP4 keeps its index wherever the encoder liked, often at the end: ffmpeg must be able to seek.
            tempFile = path = Path.Combine(Path.GetTempPath(), $"speech-emotion-{Guid.NewGuid():N}.upload");
            await using (var file = File.Create(tempFile))
            {
                await input!.CopyToAsync(file, cancellationToken);
            }

            input = null;
        }

        var process = new Process { StartInfo = CreateStartInfo(format, path, options) };
        StartOrExplain(process, options, tempFile);
        var source = new FfmpegPcmSource(process, options, input, tempFile);
        try
        {
            await source.WaitForHeaderAsync(format, cancellationToken);
            return source;
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
    }

    public override async ValueTask<int> ReadAsync(float[][] destination, int maxFrames, CancellationToken cancellationToken)
    {
        var frameBytes = Channels * sizeof(float);
        var wanted = maxFrames * frameBytes;
        if (bytes.Length < wanted)
        {
            Array.Resize(ref bytes, wanted);
        }

        var read = carried + await ReadWithinStallLimitAsync(bytes.AsMemory(carried, wanted - carried), cancellationToken);
        var frames = read / frameBytes;
        if (read == carried && frames == 0)
        {
            await ThrowUnlessCleanEndAsync(cancellationToken);
            return 0;
        }

        Deinterleave(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, frames * frameBytes)), destination, frames);
        // A pipe read can end mid-frame: keep the tail for the next call.
        carried = read - (frames * frameBytes);
        bytes.AsSpan(frames * frameBytes, carried).CopyTo(bytes);
        return frames;
    }

    public override async ValueTask DisposeAsync()
    {
        // Normally a no-op. When the consumer stops early, the kill closes the pipes, so the background tasks finish
        // too and nothing is left running (or failing unobserved) after we return.
        KillTree();
        await Task.WhenAll(logTask, feedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await process.WaitForExitAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        process.Dispose();
        stall.Dispose();
        if (tempFile is not null)
        {
            File.Delete(tempFile);
        }
    }

    private async Task WaitForHeaderAsync(AudioFormat format, CancellationToken cancellationToken)
    {
        stall.CancelAfter(options.StallTimeout);
        try
        {
            await headerSeen.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            stall.CancelAfter(Timeout.InfiniteTimeSpan);
        }

        var text = LogText();
        var (sampleRate, channels) = FfmpegInputDescription.Parse(text);
        if (stalled)
        {
            throw StallRejection();
        }

        if (channels == 0)
        {
            // No output header: ffmpeg gave up on the input. Its exit code and last line say why.
            await process.WaitForExitAsync(cancellationToken);
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, $"The audio could not be decoded: {LastLogLine()}");
        }

        facts = new RecordingFacts(format, FfmpegInputDescription.ParseCodec(text), sampleRate, channels, FfmpegInputDescription.ParseDuration(text));
    }

    private async Task<int> ReadWithinStallLimitAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // The caller's cancellation kills ffmpeg too: a blocked pipe read then returns at once.
        await using var cancelled = cancellationToken.Register(KillTree);
        stall.CancelAfter(options.StallTimeout);
        try
        {
            return await process.StandardOutput.BaseStream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, CancellationToken.None);
        }
        finally
        {
            stall.CancelAfter(Timeout.InfiniteTimeSpan);
            cancellationToken.ThrowIfCancellationRequested();
            if (stalled)
            {
                throw StallRejection();
            }
        }
    }

    private async Task ThrowUnlessCleanEndAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        await logTask;
        if (process.ExitCode != 0)
        {
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, $"The audio could not be decoded: {LastLogLine()}");
        }
    }

    private void Deinterleave(ReadOnlySpan<float> interleaved, float[][] destination, int frames)
    {
        var channels = Channels;
        for (var channel = 0; channel < channels; channel++)
        {
            var target = destination[channel];
            for (var frame = 0; frame < frames; frame++)
            {
                target[frame] = interleaved[(frame * channels) + channel];
            }
        }
    }

    private AudioRejectedException StallRejection() => new(ErrorCodes.CorruptAudio,
        $"The audio could not be decoded within {options.StallTimeout.TotalSeconds:0.###} s (ffmpeg stalled).");

    private static ProcessStartInfo CreateStartInfo(AudioFormat format, string? path, RecordingReaderOptions options)
    {
        var start = new ProcessStartInfo(options.FfmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        List<string> arguments =
        [
            "-hide_banner", "-nostats", "-nostdin",
            // Only the pipe or the given file may be opened: no network, no other local files.
            "-protocol_whitelist", "file,pipe",
            "-f", format.FfmpegDemuxer(),
            // "file:" so that a path can only ever name a file, whatever it starts with.
            "-i", path is null ? "pipe:0" : "file:" + path,
            "-map", "0:a:0", "-vn", "-sn", "-dn",
        ];
        if (options.MaxDuration is { } maxDuration)
        {
            // Bounds work and memory: never decode more than is needed to know the recording is too long.
            arguments.AddRange(["-t", (maxDuration + DecodeMargin).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)]);
        }

        // No -ac: the source's channels come out apart; RecordingReader mixes when asked.
        arguments.AddRange(["-ar", RecordingReader.SampleRate.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "pipe:1"]);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static void StartOrExplain(Process process, RecordingReaderOptions options, string? tempFile)
    {
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            if (tempFile is not null)
            {
                File.Delete(tempFile);
            }

            // A deployment problem, not the upload's: let it fail the request loudly.
            throw new InvalidOperationException(
                $"ffmpeg could not be started from '{options.FfmpegPath}' (Analysis:FfmpegPath): {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Reads stderr to the end (ffmpeg must never block on it) and keeps the first 32 K characters. The header is
    /// complete once ffmpeg names its output, which it does before writing any audio.
    /// </summary>
    private async Task DrainLogAsync(StreamReader stderr)
    {
        try
        {
            while (await stderr.ReadLineAsync() is { } line)
            {
                lock (log)
                {
                    if (log.Length < MaxLogChars)
                    {
                        log.Append(line).Append('\n');
                    }
                }

                if (line.StartsWith("Output #0", StringComparison.Ordinal))
                {
                    headerSeen.TrySetResult();
                }
            }
        }
        finally
        {
            headerSeen.TrySetResult();
        }
    }

    private async Task FeedAsync(Stream input, Stream stdin)
    {
        try
        {
            await input.CopyToAsync(stdin);
            await stdin.FlushAsync();
        }
        catch (IOException)
        {
            // ffmpeg stopped reading: it had enough (-t), it failed, or it was killed. Its exit code tells which.
        }
        finally
        {
            await CloseAsync(stdin);
        }
    }

    private static async Task CloseAsync(Stream stdin)
    {
        try
        {
            await stdin.DisposeAsync();
        }
        catch (IOException)
        {
            // Closing a pipe ffmpeg already closed: nothing left to do.
        }
    }

    private void KillTree()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private string LogText()
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    /// <summary>ffmpeg's last complete line says why it gave up; the temp file's path is no business of the user.</summary>
    private string LastLogLine()
    {
        var line = LogText().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? "ffmpeg reported no reason.";
        return tempFile is null ? line : line.Replace(tempFile, "input", StringComparison.Ordinal);
    }
}
