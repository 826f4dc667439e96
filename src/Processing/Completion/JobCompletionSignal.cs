using System.Collections.Concurrent;

namespace SpeechEmotion.Processing.Completion;

/// <summary>
/// In-process "job finished" notifications, fed by <see cref="JobFinishedSignalConsumer"/> (the JobFinished event,
/// which reaches the Api in both modes), so POST /emotion wakes up the moment the event arrives instead of waiting for
/// its next poll of the database (the fallback, should an event be lost).
/// </summary>
public sealed class JobCompletionSignal
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    /// <summary>A task that completes when <see cref="Notify"/> is called for the job. Call <see cref="Forget"/> when done waiting.</summary>
    public Task WhenFinished(Guid jobId) =>
        _waiters.GetOrAdd(jobId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(Guid jobId)
    {
        if (_waiters.TryRemove(jobId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    public void Forget(Guid jobId) => _waiters.TryRemove(jobId, out _);
}
