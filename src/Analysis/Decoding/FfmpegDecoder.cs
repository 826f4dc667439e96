using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Validation;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Logging;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Decodes any accepted container with an ffmpeg child process to 16 kHz mono float32.
/// Process is driven directly rather than through FFMpegCore: we need exactly one spawn per request (the input
/// description comes from the same run's log, no ffprobe), a hard kill of the process tree on timeout, and
/// stdin/stdout pipes read concurrently; that is a page of code here and would be the same page around FFMpegCore.
/// Arguments go through ArgumentList, never a shell, so a file name can never become a command. ffmpeg's own
/// words stay out of the rejection (they echo the input and our paths): they go to the debug log, encoded.
/// </summary>
internal sealed class FfmpegDecoder(AnalysisOptions options, DurationLimits durationLimits, ILogger? logger = null)
{
    public const string UndecodableDetail = "The audio stream could not be decoded: the file is damaged or truncated.";

    private readonly ILogger debugLog = logger ?? NullLogger.Instance;

    /// <summary>
    /// ffmpeg decodes up to this much past MaxDuration: enough to tell "longer than allowed" from "exactly the
    /// limit" (codec padding adds a few ms), small enough that a huge upload costs at most MaxDuration + 0.5 s of work.
    /// </summary>
    private static readonly TimeSpan DecodeMargin = TimeSpan.FromSeconds(0.5);

    /// <summary>The stream description is at the top of the log; keeping more only costs memory on noisy files.</summary>
    private const int MaxLogBytes = 32 * 1024;

    public async Task<DecodedAudio> DecodeAsync(ReadOnlyMemory<byte> file, AudioFormat format, CancellationToken cancellationToken)
    {
        string? tempFile = null;
        try
        {
            if (format.NeedsSeekableInput())
            {
                tempFile = Path.Combine(Path.GetTempPath(), $"speech-emotion-{Guid.NewGuid():N}.upload");
                await File.WriteAllBytesAsync(tempFile, file, cancellationToken);
            }

            var (pcm, log, exitCode) = await RunAsync(file, format, tempFile, cancellationToken);
            return ToDecodedAudio(pcm, log, exitCode, tempFile);
        }
        finally
        {
            if (tempFile is not null)
            {
                File.Delete(tempFile);
            }
        }
    }

    private async Task<(byte[] Pcm, string Log, int ExitCode)> RunAsync(
        ReadOnlyMemory<byte> file, AudioFormat format, string? inputPath, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = CreateStartInfo(format, inputPath) };
        StartOrExplain(process);
        var pcmTask = ReadCappedAsync(process.StandardOutput.BaseStream, MaxOutputBytes());
        var logTask = ReadCappedAsync(process.StandardError.BaseStream, MaxLogBytes);
        var feedTask = inputPath is null ? FeedAsync(process.StandardInput.BaseStream, file) : CloseAsync(process.StandardInput.BaseStream);
        var pipes = Task.WhenAll(pcmTask, logTask, feedTask);
        try
        {
            await WaitForExitOrTimeoutAsync(process, cancellationToken);
        }
        finally
        {
            // Normally a no-op. On timeout or cancellation the kill closes the pipes, so the readers finish too and
            // nothing is left running (or failing unobserved) after we return.
            KillTree(process);
            await pipes.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var log = Encoding.UTF8.GetString(await logTask);
        return (await pcmTask, log, process.ExitCode);
    }

    private async Task WaitForExitOrTimeoutAsync(Process process, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.DecodeTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new AudioRejectedException(ErrorCodes.CorruptAudio,
                $"The audio could not be decoded within {options.DecodeTimeout.TotalSeconds:0.#} s.");
        }
    }

    private ProcessStartInfo CreateStartInfo(AudioFormat format, string? inputPath)
    {
        var start = new ProcessStartInfo(options.FfmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        string[] arguments =
        [
            "-hide_banner", "-nostats", "-nostdin",
            // Only the pipe or our own temp file may be opened: no network, no other local files.
            "-protocol_whitelist", "file,pipe",
            "-f", format.FfmpegDemuxer(),
            "-i", inputPath ?? "pipe:0",
            "-map", "0:a:0", "-vn", "-sn", "-dn",
            // Bounds work and memory: never decode more than is needed to know the recording is too long.
            "-t", (options.MaxDuration + DecodeMargin).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            // Down-mix by averaging the channels (as training and the managed WAV path do); without this ffmpeg
            // sums stereo at -3 dB each into float output, 1.41x louder than the average.
            "-rematrix_maxval", "1",
            "-ac", "1", "-ar", DecodedAudio.SampleRate.ToString(CultureInfo.InvariantCulture),
            "-f", "f32le", "pipe:1",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private void StartOrExplain(Process process)
    {
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            // A deployment problem, not the upload's: let it fail the request loudly.
            throw new InvalidOperationException(
                $"ffmpeg could not be started from '{options.FfmpegPath}' (Analysis:FfmpegPath): {exception.Message}", exception);
        }
    }

    private DecodedAudio ToDecodedAudio(byte[] pcm, string log, int exitCode, string? tempFile)
    {
        if (exitCode != 0)
        {
            debugLog.LogDebug("ffmpeg exited with {ExitCode}: {FfmpegReason}", exitCode, LogText.Encode(LastLogLine(log, tempFile)));
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, UndecodableDetail);
        }

        var samples = MemoryMarshal.Cast<byte, float>(pcm.AsSpan(0, pcm.Length - (pcm.Length % sizeof(float)))).ToArray();
        if (samples.Length == 0)
        {
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, "The file holds no decodable audio samples.");
        }

        durationLimits.RejectIfTooLong(samples.Length / (double)DecodedAudio.SampleRate);

        var (sampleRate, channels) = FfmpegInputDescription.Parse(log);
        return new DecodedAudio(samples, sampleRate, channels);
    }

    private int MaxOutputBytes() =>
        (int)Math.Ceiling((options.MaxDuration + DecodeMargin).TotalSeconds * DecodedAudio.SampleRate) * sizeof(float);

    private static async Task FeedAsync(Stream stdin, ReadOnlyMemory<byte> file)
    {
        try
        {
            await stdin.WriteAsync(file);
            await stdin.FlushAsync();
        }
        catch (IOException)
        {
            // ffmpeg stopped reading: it had enough (-t) or it failed. Its exit code tells which.
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

    /// <summary>Reads to the end of the stream but keeps at most <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]> ReadCappedAsync(Stream stream, int limit)
    {
        var kept = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk)) > 0)
        {
            var room = limit - (int)kept.Length;
            kept.Write(chunk, 0, Math.Min(read, Math.Max(room, 0)));
        }

        return kept.ToArray();
    }

    private static void KillTree(Process process)
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

    /// <summary>ffmpeg's last complete line says why it gave up; the temp file's path adds nothing.</summary>
    private static string LastLogLine(string log, string? tempFile)
    {
        var line = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? "ffmpeg reported no reason.";
        return tempFile is null ? line : line.Replace(tempFile, "input", StringComparison.Ordinal);
    }
}
