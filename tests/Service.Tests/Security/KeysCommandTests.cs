using System.Net;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Security;

/// <summary>
/// <c>SpeechEmotion.Api keys create|list|revoke</c> on the real Api binary (what <c>dotnet run --project src/Api --
/// keys ...</c> runs): it exits without serving, works on the service's own database, and the key it prints is the
/// one the running service accepts until it is revoked.
/// </summary>
public sealed class KeysCommandTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private const string UnknownJob = "/jobs/0199a2b4-0000-7000-8000-000000000000";

    [Fact]
    public async Task Create_list_and_revoke_a_key_that_the_service_honours()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        using var started = api.CreateClient();   // the service runs, on the data directory the commands use

        var created = await Keys(api, "create", "--tenant", "acme-calls");
        Assert.Equal(0, created.ExitCode);
        var secret = created.Lines[^1];
        Assert.Matches("^sek_[A-Za-z0-9_-]{43}$", secret);

        var listed = await Keys(api, "list");
        Assert.Equal(0, listed.ExitCode);
        var row = Assert.Single(listed.Lines, line => line.Contains("\tacme-calls\t")).Split('\t');
        Assert.Equal(secret[..12], row[2]);
        Assert.Equal("-", row[4]);
        Assert.DoesNotContain(listed.Lines, line => line.Contains(secret));

        using var client = api.ClientWithKey(secret);
        await (await client.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "with the new key");

        var revoked = await Keys(api, "revoke", row[0]);
        Assert.Equal(0, revoked.ExitCode);
        await (await client.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.RevokedApiKey, "after keys revoke");
        var relisted = await Keys(api, "list");
        Assert.NotEqual("-", Assert.Single(relisted.Lines, line => line.StartsWith(row[0])).Split('\t')[4]);
    }

    [Fact]
    public async Task Revoking_an_unknown_key_and_a_bad_tenant_name_fail_with_a_message()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());

        var unknown = await Keys(api, "revoke", Guid.NewGuid().ToString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains(unknown.Lines, line => line.StartsWith("There is no key"));

        var badName = await Keys(api, "create", "--tenant", "no spaces/slashes");
        Assert.NotEqual(0, badName.ExitCode);
        Assert.Contains(badName.Lines, line => line.Contains("tenant name"));
    }

    private static async Task<(int ExitCode, IReadOnlyList<string> Lines)> Keys(EmbeddedApi api, params string[] verb)
    {
        var environment = new Dictionary<string, string>
        {
            ["SpeechEmotion__Mode"] = "Embedded",
            ["Storage__DataDirectory"] = api.DataDirectory,
        };
        await using var process = ServiceProcess.Start(ServiceProcess.ApiAssemblyPath, environment, ["keys", .. verb]);
        var exitCode = await process.WaitForExitAsync(CommandTimeout);
        return (exitCode, process.Output);
    }
}
