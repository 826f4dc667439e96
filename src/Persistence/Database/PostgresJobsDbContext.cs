using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Database;

/// <summary>Distributed mode: PostgreSQL shared by the Api and every worker.</summary>
public sealed class PostgresJobsDbContext(DbContextOptions<PostgresJobsDbContext> options, CurrentTenant? currentTenant = null)
    : JobsDbContext(options, currentTenant);
