using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace SpeechEmotion.Cli.Output;

/// <summary>Where the verbs write: tables for people, JSON for machines, progress only on an interactive terminal.</summary>
public static class Terminal
{
    /// <summary>camelCase, indented, nulls left out: the <c>--json</c> form of every verb.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void WriteJson<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>
    /// A Spectre console over <paramref name="output"/>: colours on a real terminal, plain text (and wide enough for
    /// the confusion matrix) when redirected or captured.
    /// </summary>
    public static IAnsiConsole Tables(TextWriter output)
    {
        var isTerminal = output == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!isTerminal)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a progress bar on standard error when that is a terminal (so it never mixes
    /// with tables or JSON on standard output); silently otherwise. <paramref name="work"/> calls its argument once per
    /// item done, from any thread.
    /// </summary>
    public static async Task<T> WithProgressAsync<T>(string description, int total, Func<Action, Task<T>> work)
    {
        if (Console.IsErrorRedirected)
        {
            return await work(() => { });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: total);
                return await work(() => task.Increment(1));
            });
    }
}
