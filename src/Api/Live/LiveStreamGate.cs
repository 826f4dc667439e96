using Microsoft.Extensions.Options;

namespace SpeechEmotion.Api.Live;

/// <summary>Counts the open live streams against Live:MaxConcurrentStreams (a singleton).</summary>
public sealed class LiveStreamGate(IOptions<LiveOptions> options)
{
    private int open;

    /// <summary>Streams open now.</summary>
    public int Open => Volatile.Read(ref open);

    /// <summary>Takes a place; false when every place is taken. Give it back with <see cref="Leave"/>.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref open) <= options.Value.MaxConcurrentStreams)
        {
            return true;
        }
        Interlocked.Decrement(ref open);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref open);
}
