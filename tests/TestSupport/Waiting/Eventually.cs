namespace SpeechEmotion.TestSupport.Waiting;

/// <summary>Waits for something another thread does after the moment a test can observe (a log line written after
/// the row it reports on, an event published after the commit): polls the condition instead of reading once.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met in {timeout ?? TimeSpan.FromSeconds(10)}: {describe?.Invoke()}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>The same for a condition that must be read asynchronously (a database row).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met in {timeout ?? TimeSpan.FromSeconds(10)}: {describe?.Invoke()}");
            }
            await Task.Delay(50);
        }
    }
}
