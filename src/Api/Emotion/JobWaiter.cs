using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Jobs;

namespace SpeechEmotion.Api.Emotion;

/// <summary>
/// Waits, up to a deadline, for a job to finish. Wakes on the in-process completion signal (embedded mode: the
/// JobFinished event reaches this process) and otherwise polls the database, starting at 5 ms and backing off to
/// 200 ms so short jobs answer fast and long ones cost little.
/// </summary>
public sealed class JobWaiter(JobLifecycle lifecycle, TimeProvider time)
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan SlowestPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>The job once finished, or its latest state when the deadline passed first.</summary>
    public async Task<JobSnapshot> WaitAsync(Guid jobId, Task finishedSignal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var poll = FirstPoll;
        while (true)
        {
            var snapshot = await lifecycle.FindAsync(jobId, cancellationToken)
                ?? throw new InvalidOperationException($"Job {jobId} vanished while awaited.");
            var left = deadline - time.GetUtcNow();
            if (snapshot.Job.IsFinished || left <= TimeSpan.Zero)
            {
                return snapshot;
            }
            var nap = poll < left ? poll : left;
            await Task.WhenAny(finishedSignal, Task.Delay(nap, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            poll = poll * 2 < SlowestPoll ? poll * 2 : SlowestPoll;
        }
    }
}
