using System.CommandLine;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Inference;

namespace SpeechEmotion.Cli.Commands;

/// <summary>A problem the user can fix (wrong folder, nothing found): printed as one line, exit code 1.</summary>
internal sealed class CommandException(string message) : Exception(message);

/// <summary>Turns the failures a user causes into one line on standard error and exit code 1; bugs keep their stack.</summary>
internal static class CommandErrors
{
    public const int Failed = 1;

    public static async Task<int> ReportAsync(ParseResult parse, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (AudioRejectedException rejection)
        {
            // A recording the service would refuse: its stable code, as the API's problem details carry it.
            await parse.InvocationConfiguration.Error.WriteLineAsync($"speechemotion: {rejection.Code}: {rejection.Message}");
            return Failed;
        }
        catch (Exception error) when (error is CommandException or IOException or ArgumentException or ModelContractException
                                          or OptionsValidationException or UnauthorizedAccessException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"speechemotion: {error.Message}");
            return Failed;
        }
    }
}
