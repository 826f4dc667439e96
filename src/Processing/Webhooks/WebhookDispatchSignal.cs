namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// Wakes this process's <see cref="WebhookDispatcher"/> when deliveries were just created here, so an event goes
/// out at once instead of at the next poll. Other processes find the rows at their next poll.
/// </summary>
public sealed class WebhookDispatchSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up covers every new row.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
