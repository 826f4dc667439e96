using System.Net.Sockets;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace SpeechEmotion.Persistence.Resilience;

/// <summary>
/// Tells "the database is away" (restarting, refusing connections, shut down, retries exhausted) from every other
/// failure: the first is worth a 503 and a later try, the others are bugs or bad data.
/// </summary>
public static class DatabaseOutage
{
    public static bool IsOutage(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is RetryLimitExceededException or SocketException or TimeoutException
                || current is NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }
        return false;
    }
}
