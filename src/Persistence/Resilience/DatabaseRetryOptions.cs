namespace SpeechEmotion.Persistence.Resilience;

/// <summary>
/// How long each PostgreSQL operation rides out a database that is restarting or gone (EF Core's retrying execution
/// strategy, Npgsql's EnableRetryOnFailure), bound from the configuration section "Database". The waits between tries
/// grow 0, 1, 3, 7, 15 s, then stay at MaxRetryDelay. The Api keeps this short (a caller gets 503 and Retry-After
/// instead of a hanging request); a worker keeps it long so that a job never fails because the database was away.
/// </summary>
public sealed class DatabaseRetryOptions
{
    public const string SectionName = "Database";

    /// <summary>Retries of one operation before its error is surfaced. Default 3 (about 4 s of waiting).</summary>
    public int MaxRetryCount { get; set; } = 3;

    /// <summary>Longest wait between two retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
