using System.CommandLine;
using SpeechEmotion.Cli.Commands;

namespace SpeechEmotion.Cli;

/// <summary>The <c>speechemotion</c> tool: one verb per file under Commands/.</summary>
public static class CliApplication
{
    public static RootCommand Create() => new("speechemotion: measure and try the SpeechEmotion model with the service's own analysis path.")
    {
        EvaluateCommand.Create(),
        WindowsCommand.Create(),
        LiveCommand.Create(),
        SubmitCommand.Create(),
    };

    public static Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default) =>
        Create().Parse(args).InvokeAsync(configuration ?? new InvocationConfiguration(), cancellationToken);
}
