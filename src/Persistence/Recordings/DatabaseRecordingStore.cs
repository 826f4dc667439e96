using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Recordings;

/// <summary>
/// Distributed mode: the bytes go into the <c>recording_audio</c> table so every worker can read them without a
/// shared disk. Saving buffers one upload (capped by Uploads:MaxBytes) in the Api; reading streams it.
/// </summary>
public sealed class DatabaseRecordingStore(JobsDbContext db) : RecordingStore
{
    public override async Task SaveAsync(Guid recordingId, Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(content.CanSeek ? (int)Math.Min(content.Length - content.Position, int.MaxValue) : 0);
        await content.CopyToAsync(buffer, cancellationToken);
        db.RecordingAudio.Add(new RecordingAudio { RecordingId = recordingId, Content = buffer.ToArray(), CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Streams the bytes from the database as they are read (sequential access), so a two-hour call is never held
    /// whole in the analysing process. The stream owns the query (and the connection when it opened it) until disposed.
    /// </summary>
    public override async Task<Stream> OpenAsync(Guid recordingId, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }
        var command = connection.CreateCommand();
        DbDataReader? reader = null;
        try
        {
            command.CommandText = "SELECT \"Content\" FROM recording_audio WHERE \"RecordingId\" = @recordingId";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "recordingId";
            parameter.Value = recordingId;
            command.Parameters.Add(parameter);
            reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new RecordingMissingException(recordingId);
            }
            return new QueryStream(reader.GetStream(0), reader, command, opened ? connection : null);
        }
        catch
        {
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }
            await command.DisposeAsync();
            if (opened)
            {
                await connection.CloseAsync();
            }
            throw;
        }
    }

    /// <summary>The column's stream, keeping its reader, command and (when ours) connection alive until disposed.</summary>
    private sealed class QueryStream(Stream content, DbDataReader reader, DbCommand command, DbConnection? ownedConnection) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => content.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => content.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => content.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                content.Dispose();
                reader.Dispose();
                command.Dispose();
                ownedConnection?.Close();
            }
            base.Dispose(disposing);
        }
    }

    public override Task DeleteAsync(Guid recordingId, CancellationToken cancellationToken) =>
        db.RecordingAudio.Where(a => a.RecordingId == recordingId).ExecuteDeleteAsync(cancellationToken);

    public override Task<bool> ExistsAsync(Guid recordingId, CancellationToken cancellationToken) =>
        db.RecordingAudio.AnyAsync(a => a.RecordingId == recordingId, cancellationToken);

    public override Task<int> DeleteOrphansAsync(JobsDbContext jobs, DateTime olderThan, CancellationToken cancellationToken) =>
        jobs.RecordingAudio
            .Where(a => a.CreatedAt < olderThan && !jobs.Recordings.Any(r => r.Id == a.RecordingId && r.AudioDeletedAt == null))
            .ExecuteDeleteAsync(cancellationToken);
}
