namespace SpeechEmotion.Persistence.Jobs;

public enum JobStatus
{
    Queued,
    Processing,
    Succeeded,
    Failed,
}
