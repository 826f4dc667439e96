using Microsoft.Extensions.Options;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Jobs;

namespace SpeechEmotion.Api.Emotion;

/// <summary>
/// Waits, up to Emotion:WaitTimeout, for a job to finish. Wakes on the in-process completion signal (the job's
/// JobFinished event reached this process: in both modes) and re-reads the job every Emotion:PollInterval besides,
/// the fallback should the event be lost.
/// </summary>
public sealed class JobWaiter(JobLifecycle lifecycle, IOptions<EmotionOptions> options, TimeProvider time)
{
    private static readonly Task Never = new TaskCompletionSource().Task;

    /// <summary>The job once finished, or its latest state when the deadline passed first.</summary>
    public async Task<JobSnapshot> WaitAsync(Guid jobId, Task finishedSignal, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.WaitTimeout;
        var wake = finishedSignal;
        while (true)
        {
            var snapshot = await lifecycle.FindAsync(jobId, cancellationToken)
                ?? throw new InvalidOperationException($"Job {jobId} vanished while awaited.");
            var left = deadline - time.GetUtcNow();
            if (snapshot.Job.IsFinished || left <= TimeSpan.Zero)
            {
                return snapshot;
            }
            if (wake.IsCompleted)
            {
                wake = Never;   // signalled, yet the row is not finished (a stray event): poll only, do not spin
            }
            var nap = options.Value.PollInterval < left ? options.Value.PollInterval : left;
            await Task.WhenAny(wake, Task.Delay(nap, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
