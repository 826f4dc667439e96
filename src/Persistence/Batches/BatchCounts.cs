namespace SpeechEmotion.Persistence.Batches;

/// <summary>How many of a batch's jobs are in each state.</summary>
public sealed record BatchCounts(int Total, int Queued, int Running, int Succeeded, int Failed)
{
    public static BatchCounts Empty { get; } = new(0, 0, 0, 0, 0);

    public bool AllFinished => Queued == 0 && Running == 0;

    public static BatchCounts Of(Batch batch) => new(batch.Total, batch.Queued, batch.Running, batch.Succeeded, batch.Failed);
}
