using Microsoft.EntityFrameworkCore;

namespace SpeechEmotion.Persistence.Database;

/// <summary>Distributed mode: PostgreSQL shared by the Api and every worker.</summary>
public sealed class PostgresJobsDbContext(DbContextOptions<PostgresJobsDbContext> options) : JobsDbContext(options);
