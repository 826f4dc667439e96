using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Bench;

/// <summary>
/// `Bench calls`: stereo 8 kHz μ-law calls of the given lengths (the service tests' generated call: synthetic
/// sentences on each channel in a 12 s pattern) through the embedded service, started as its own process per length
/// so that its peak RSS (VmHWM) is the analysis of that call alone. Measures upload-to-result time as a multiple of
/// real time, and the time ffmpeg alone takes to decode the same file to 16 kHz float.
/// </summary>
internal static class CallsBench
{
    public static async Task RunAsync(int[] minutes)
    {
        var apiDll = Path.Combine(BenchPaths.RepositoryRoot, "src", "Api", "bin", "Release", "net10.0", "SpeechEmotion.Api.dll");
        var rows = new List<string>
        {
            "| call | file | upload → result | × real time | peak RSS of the Api process | ffmpeg decode alone | service / ffmpeg |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        };
        foreach (var length in minutes)
        {
            var folder = Directory.CreateTempSubdirectory("bench-calls-");
            try
            {
                var call = Path.Combine(folder.FullName, "call.wav");
                GeneratedCalls.WriteStereoMuLaw(call, (int)Math.Round(length * 60 / GeneratedCalls.PatternSeconds));
                var ffmpeg = TimeFfmpegDecode(call);
                var (elapsed, peakMiB) = await TimeServiceAsync(apiDll, call, folder.FullName);
                var seconds = length * 60.0;
                rows.Add($"| {length} min | {new FileInfo(call).Length / 1e6:0.0} MB | {elapsed.TotalSeconds:0.0} s | {seconds / elapsed.TotalSeconds:0}× | {peakMiB:0} MiB | {ffmpeg.TotalSeconds:0.00} s | {elapsed / ffmpeg:0.0}× |");
                Console.WriteLine(rows[^1]);
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }
        Console.WriteLine($"stereo 8 kHz μ-law, channels=split, embedded mode; {Environment.ProcessorCount} cores");
        rows.ForEach(Console.WriteLine);
    }

    private static TimeSpan TimeFfmpegDecode(string call)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", call, "-ar", "16000", "-f", "f32le", "/dev/null"]))!;
        process.WaitForExit();
        return clock.Elapsed;
    }

    private static async Task<(TimeSpan Elapsed, double PeakMiB)> TimeServiceAsync(string apiDll, string call, string dataDirectory)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [apiDll, $"--Urls=http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SpeechEmotion__Mode"] = "Embedded";
        start.Environment["Storage__DataDirectory"] = dataDirectory;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var api = Process.Start(start)!;
        api.OutputDataReceived += (_, _) => { };
        api.ErrorDataReceived += (_, _) => { };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
            await WaitReadyAsync(client);
            var clock = Stopwatch.StartNew();
            var id = await SubmitAsync(client, call);
            await WaitFinishedAsync(client, id);
            clock.Stop();
            var peak = File.ReadLines($"/proc/{api.Id}/status").Single(l => l.StartsWith("VmHWM:"));
            return (clock.Elapsed, long.Parse(peak.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0);
        }
        finally
        {
            api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
        }
    }

    private static async Task<Guid> SubmitAsync(HttpClient client, string call)
    {
        await using var file = File.OpenRead(call);
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var form = new MultipartFormDataContent { { content, "file", "call.wav" }, { new StringContent("split"), "channels" } };
        using var response = await client.PostAsync("/jobs", form);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(body)!["id"]!.GetValue<Guid>() : throw new InvalidOperationException(body);
    }

    private static async Task WaitFinishedAsync(HttpClient client, Guid id)
    {
        while (true)
        {
            var job = JsonNode.Parse(await client.GetStringAsync($"/jobs/{id}"))!;
            var status = job["status"]!.GetValue<string>();
            if (status == "failed")
            {
                throw new InvalidOperationException(job.ToJsonString());
            }
            if (status == "succeeded")
            {
                return;
            }
            await Task.Delay(100);
        }
    }

    internal static async Task WaitReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The Api did not become ready.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
