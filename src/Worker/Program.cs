using SpeechEmotion.ServiceDefaults;

namespace SpeechEmotion.Worker;

// Not top-level statements: a test project referencing both the Api and the Worker would otherwise see two global Program classes.
public static class Program
{
    public static Task<int> Main(string[] args) => WorkerApplication.Build(args).RunUntilStoppedAsync();
}
