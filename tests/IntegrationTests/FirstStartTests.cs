using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// A first start on an empty PostgreSQL database (as deploy/local-servers.sh and docker compose leave it) migrates it
/// and logs no error: EF Core's expected failure reading the not-yet-created __EFMigrationsHistory used to be logged as
/// "fail: Microsoft.EntityFrameworkCore.Database.Command".
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FirstStartTests(TestServers servers)
{
    [Fact]
    public async Task Worker_migrates_an_empty_database_without_logging_an_error()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers.PostgresConnectionString, servers.RabbitMqUri, servers.RabbitMqManagementUri);
        await using var worker = WorkerProcess.Start("worker-first-start", new Dictionary<string, string>
        {
            ["SpeechEmotion:Mode"] = "Distributed",
            ["ConnectionStrings:Jobs"] = sandbox.JobsConnectionString,
            ["ConnectionStrings:RabbitMq"] = sandbox.RabbitMqConnectionString,
        });

        // Consuming means the migration is done and the bus started: the whole first start is in the output.
        await sandbox.WaitForConsumersAsync(1, TimeSpan.FromSeconds(90));

        Assert.Contains("Jobs database is migrated", worker.RecentOutput);
        var errors = worker.RecentOutput.Split('\n').Where(line => line.StartsWith("fail:") || line.StartsWith("crit:")).ToList();
        Assert.True(errors.Count == 0, $"the first start logged errors:{Environment.NewLine}{worker.RecentOutput}");
    }
}
