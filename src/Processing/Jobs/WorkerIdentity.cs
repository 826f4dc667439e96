namespace SpeechEmotion.Processing.Jobs;

/// <summary>Who processed a job, stored on the job row: machine name and process id tell processes apart on one box.</summary>
public static class WorkerIdentity
{
    public static string Name { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}
