namespace SpeechEmotion.Bench;

/// <summary>
/// Benchmarks of the service as deployed. Usage:
///   dotnet run -c Release --project bench/Bench -- latency [--requests 100] [--warmup 5] [--url http://localhost:5080]
///   dotnet run -c Release --project bench/Bench -- throughput --workers 1|2 [--jobs 200]
///   dotnet run -c Release --project bench/Bench -- memory [--jobs 10000] [--checkpoints 10]   (soak: is worker memory flat?)
///   dotnet run -c Release --project bench/Bench -- model [--runs 200] [--warmup 20] [--models a.onnx,b.onnx]
///   dotnet run -c Release --project bench/Bench -- vad [--calls 4] [--seed 1]
///   dotnet run -c Release --project bench/Bench -- formats [--requests 200] [--concurrency 2] [--warmup 10]
///   dotnet run -c Release --project bench/Bench -- decode [--minutes 60]
///   dotnet run -c Release --project bench/Bench -- windows
///   dotnet run -c Release --project bench/Bench -- calls [--minutes 20,60]
///   dotnet run -c Release --project bench/Bench -- live [--streams 1,25,50,100] [--seconds 60]
///   dotnet run -c Release --project bench/Bench -- load --mode embedded|distributed [--workers 2] [--minutes 5] [--rate R | --rates 10,20,30] [--concurrency 32]
/// throughput, memory and load --mode distributed need SPEECHEMOTION_TEST_POSTGRES and SPEECHEMOTION_TEST_RABBITMQ (deploy/local-servers.sh env).
/// </summary>
// Not top-level statements: those would declare a global Program that hides the Api's Program, which
// WebApplicationFactory<Program> needs.
public static class BenchCommand
{
    public static async Task<int> Main(string[] args)
    {
        // WebApplicationFactory finds the Api's content root through MvcTestingAppManifest.json in the current
        // directory; the build puts it next to this assembly.
        var launchDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var options = BenchOptions.Parse(args.Skip(1));
        switch (args.FirstOrDefault())
        {
            case "latency":
                await LatencyBench.RunAsync(options.Int("requests", 100), options.Int("warmup", 5), options.String("url"));
                return 0;
            case "throughput":
                await ThroughputBench.RunAsync(options.Int("workers", 1), options.Int("jobs", 200));
                return 0;
            case "memory":
                await MemoryBench.RunAsync(options.Int("jobs", 10000), options.Int("checkpoints", 10));
                return 0;
            case "model":
                ModelBench.Run(options.Int("runs", 200), options.Int("warmup", 20),
                    options.String("models")?.Split(',').Select(path => Path.GetFullPath(path, launchDirectory)).ToList());
                return 0;
            case "vad":
                VadBench.Run(options.Int("calls", 4), options.Int("seed", 1));
                VadBench.RunShortClips(options.Int("seed", 1));
                VadBench.RunNoSpeechClips(options.Int("seed", 1));
                VadBench.RunRealCall();
                return 0;
            case "formats":
                await FormatsBench.RunAsync(options.Int("requests", 200), options.Int("concurrency", 2), options.Int("warmup", 10));
                return 0;
            case "decode":
                await DecodeBench.RunAsync(options.Int("minutes", 60));
                return 0;
            case "calls":
                await CallsBench.RunAsync((options.String("minutes") ?? "20,60").Split(',').Select(int.Parse).ToArray());
                return 0;
            case "load":
                await LoadBench.RunAsync(options.String("mode") ?? "embedded", options.Int("workers", 2), options.Int("minutes", 5),
                    options.String("rate") is { } rate ? int.Parse(rate) : null,
                    (options.String("rates") ?? "10,20,30,40").Split(',').Select(int.Parse).ToArray(), options.Int("concurrency", 32));
                return 0;
            case "live":
                await LiveBench.RunAsync((options.String("streams") ?? "1,25,50,100").Split(',').Select(int.Parse).ToArray(), options.Int("seconds", 60));
                return 0;
            case "windows":
                WindowsBench.Run([1, 2, 3, 4, 6, 8]);
                return 0;
            default:
                Console.Error.WriteLine("usage: Bench latency [--requests N] [--warmup N] [--url URL] | throughput --workers N [--jobs M] | memory [--jobs M] [--checkpoints C] | model [--runs N] [--warmup N] [--models A.onnx,B.onnx] | vad [--calls N] [--seed N] | formats [--requests N] [--concurrency N] [--warmup N] | decode [--minutes N] | windows | live [--streams 1,25,50] [--seconds 60] | calls [--minutes 20,60] | load --mode embedded|distributed [--workers N] [--minutes N] [--rate R | --rates R1,R2,...] [--concurrency N]");
                return 2;
        }
    }
}
