namespace SpeechEmotion.Api.Security;

/// <summary>
/// <c>RateLimit</c>: a token bucket per API key (in this Api process; N Api instances allow N times as much).
/// A key may send <see cref="Burst"/> requests at once and <see cref="RequestsPerSecond"/> on average; past that it
/// gets 429 rate_limited with Retry-After. Open mode has no keys and no limit.
/// The defaults stop a runaway client without throttling a working integration: a job costs a POST and its polls, and
/// one key may need to keep a whole deployment busy (the README's load figures: 25–30 jobs/s).
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    public int RequestsPerSecond { get; set; } = 100;
    public int Burst { get; set; } = 200;

    public bool IsValid => RequestsPerSecond > 0 && Burst > 0;
}
