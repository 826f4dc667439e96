namespace SpeechEmotion.Analysis.Inference;

/// <summary>
/// Guards a shared ONNX Runtime session against disposal under a running inference. Disposing a session while Run is
/// in flight crashes the process (native memory freed under ONNX Runtime), and the host disposes singletons at
/// shutdown while a consumer may still be running one: runs share the read lock, <see cref="Dispose"/> waits for the
/// write lock, then disposes what it guards once.
/// </summary>
internal sealed class SessionLifetime(object owner, params IDisposable[] guarded) : IDisposable
{
    private readonly ReaderWriterLockSlim gate = new();
    private bool disposed;

    /// <exception cref="ObjectDisposedException">The owner was disposed.</exception>
    public T Run<T>(Func<T> inference)
    {
        gate.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(disposed, owner);
            return inference();
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    public void Dispose()
    {
        gate.EnterWriteLock();
        try
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            foreach (var resource in guarded)
            {
                resource.Dispose();
            }
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }
}
