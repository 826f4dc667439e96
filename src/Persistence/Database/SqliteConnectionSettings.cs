using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SpeechEmotion.Persistence.Database;

/// <summary>
/// Per-connection SQLite settings (they do not persist in the file). In WAL mode synchronous=NORMAL skips the
/// fsync on every commit: the database cannot be corrupted by a crash, but a power cut may lose the last few
/// commits. Embedded mode trades that for latency, since every job costs three commits (insert, claim, result).
/// </summary>
public sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
