using System.CommandLine;
using System.Net.WebSockets;
using SpeechEmotion.Cli.Live;

namespace SpeechEmotion.Cli.Commands;

/// <summary>
/// <c>speechemotion live &lt;file.wav&gt;</c>: streams a recording to a running service's <c>/live</c> WebSocket at
/// real-time pace, as a phone platform would, and prints every frame the service sends (one JSON line each).
/// </summary>
internal static class LiveCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "An 8 kHz μ-law WAV (sent as Twilio Media Streams) or a 16-bit PCM WAV (sent as raw PCM frames); mono or stereo." };
        var url = new Option<string>("--url")
        {
            Description = "The service's live endpoint (add ?record=true to store the stream as a job).",
            DefaultValueFactory = _ => "ws://localhost:5080/live",
        };
        var tracks = new Option<string>("--tracks")
        {
            Description = "Track names of channels 0, 1 (Twilio: inbound is the caller, outbound the agent).",
            DefaultValueFactory = _ => "inbound,outbound",
        };
        var speed = new Option<double>("--speed")
        {
            Description = "Pace: 1 is real time, 2 twice as fast, 0 as fast as possible.",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("live", "Stream a WAV to the service's /live WebSocket at real-time pace and print the emotion frames it sends back.")
        {
            file, url, tracks, speed,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.ReportAsync(parse, () => RunAsync(
            parse.GetValue(file)!, parse.GetValue(url)!, parse.GetValue(tracks)!.Split(',', StringSplitOptions.TrimEntries),
            parse.GetValue(speed), parse.InvocationConfiguration.Output, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, string endpoint, string[] tracks, double speed, TextWriter output, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CommandException($"The file '{file.FullName}' does not exist.");
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var url) || url.Scheme is not ("ws" or "wss"))
        {
            throw new CommandException("--url must be a ws:// or wss:// address, e.g. ws://localhost:5080/live.");
        }
        LiveWav wav;
        try
        {
            wav = LiveWav.Read(await File.ReadAllBytesAsync(file.FullName, cancellationToken));
        }
        catch (InvalidDataException invalid)
        {
            throw new CommandException(invalid.Message);
        }
        if (tracks.Length < wav.Channels)
        {
            throw new CommandException($"The file has {wav.Channels} channels: --tracks must name each.");
        }
        LiveOutcome outcome;
        try
        {
            outcome = await LiveStreamer.StreamAsync(url, wav, tracks, speed, frame => output.WriteLine(frame.Json.ToJsonString()), cancellationToken);
        }
        catch (WebSocketException failed)
        {
            throw new CommandException($"The live stream failed: {failed.Message}");
        }
        await output.WriteLineAsync($"closed: {outcome.CloseStatus} {outcome.CloseReason}");
        return outcome.CloseStatus == WebSocketCloseStatus.NormalClosure ? 0 : CommandErrors.Failed;
    }
}
