namespace SpeechEmotion.Processing.Recovery;

/// <summary>
/// Which confirmed messages can still be in the queue. RabbitMQ keeps a confirmed publish until a worker consumes it,
/// so nothing confirmed is lost (<see cref="LostBefore"/> = <see cref="DateTime.MinValue"/>); the in-memory bus of the
/// embedded mode loses whatever an earlier process published when it stopped (<see cref="LostBefore"/> = this
/// process's start). The recovery sweep re-publishes a queued job only when its message was never confirmed or was
/// confirmed before <see cref="LostBefore"/>: a long queue under load is left alone instead of being doubled.
/// </summary>
public sealed record QueuedMessageDurability(DateTime LostBefore)
{
    public static QueuedMessageDurability Broker { get; } = new(DateTime.MinValue);

    /// <summary>
    /// Whether the queue dies with this process (the in-memory bus): what it still holds when the host stops is lost
    /// anyway, and the next process's sweep publishes it again.
    /// </summary>
    public bool LostWhenProcessStops => LostBefore > DateTime.MinValue;

    public static QueuedMessageDurability InMemorySince(DateTime processStart) => new(processStart);
}
