using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace SpeechEmotion.ServiceDefaults;

/// <summary>How the Api and the Worker run until they are stopped, and what their exit code says.</summary>
public static class ServiceRun
{
    /// <summary>
    /// Runs the application until it stops: 0. A listen address already in use ends it with one critical line and
    /// exit code 1, not an unhandled exception and a core dump (the usual first-start mistake: a second copy on the same port).
    /// </summary>
    public static async Task<int> RunUntilStoppedAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException bindFailed) when (bindFailed.InnerException is AddressInUseException)
        {
            app.Logger.LogCritical("Cannot listen: {Reason} Choose another address with --urls, ASPNETCORE_URLS or Urls.", bindFailed.Message);
            return 1;
        }
    }
}
