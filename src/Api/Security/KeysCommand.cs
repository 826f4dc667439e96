using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Console;
using SpeechEmotion.Persistence.Hosting;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Api.Security;

/// <summary>
/// <c>dotnet run --project src/Api -- keys create --tenant NAME | keys list | keys revoke ID</c>: the Api's entry
/// point hands these verbs here and exits without starting the server. The command reads the same configuration as
/// the service (appsettings.json, environment, and any <c>--Section:Key=value</c> arguments), so it works on the
/// database the service uses (migrating it first, as the service would). Logs go to stderr: stdout carries only the
/// answer, and <c>create</c> prints the key alone on its last line.
/// </summary>
public static class KeysCommand
{
    public const string Verb = "keys";

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == Verb;

    public static Task<int> RunAsync(string[] args, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("API keys of the SpeechEmotion service.") { Create(), List(), Revoke() };
        root.TreatUnmatchedTokensAsErrors = false;   // --Section:Key=value configuration passes through to the host
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
        }
        return root.Parse(args.Skip(1).ToArray()).InvokeAsync(configuration, cancellationToken);
    }

    private static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant the key belongs to (made when new).", Required = true };
        var command = new Command("create", "Make a key for a tenant; prints it once, alone on the last line.") { tenant };
        command.SetAction((parse, cancellationToken) => WithStore(parse, cancellationToken, async (store, output) =>
        {
            string name;
            try
            {
                name = ApiKeyStore.ValidTenantName(parse.GetValue(tenant)!);
            }
            catch (ArgumentException invalid)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(invalid.Message);
                return 2;
            }
            var (key, secret) = await store.CreateAsync(name, cancellationToken);
            await output.WriteLineAsync($"Key {key.Id} created for tenant {name}. It is shown only now; the service keeps its hash.");
            await output.WriteLineAsync(secret);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the keys: id, tenant, prefix, created, revoked.");
        command.SetAction((parse, cancellationToken) => WithStore(parse, cancellationToken, async (store, output) =>
        {
            await output.WriteLineAsync("id\ttenant\tprefix\tcreated\trevoked");
            foreach (var key in await store.ListAsync(cancellationToken))
            {
                await output.WriteLineAsync(string.Join('\t', key.Id, key.TenantName, key.Prefix, Time(key.CreatedAt),
                    key.RevokedAt is { } revoked ? Time(revoked) : "-"));
            }
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<Guid>("id") { Description = "The key's id (from keys list)." };
        var command = new Command("revoke", "Revoke a key: requests with it are refused (401 revoked_api_key) from now on.") { id };
        command.SetAction((parse, cancellationToken) => WithStore(parse, cancellationToken, async (store, output) =>
        {
            var keyId = parse.GetValue(id);
            if (!await store.RevokeAsync(keyId, cancellationToken))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"There is no key {keyId}.");
                return 1;
            }
            await output.WriteLineAsync($"Key {keyId} revoked.");
            return 0;
        }));
        return command;
    }

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The service's storage, migrated, for one verb; the unmatched tokens are the host's configuration.</summary>
    private static async Task<int> WithStore(ParseResult parse, CancellationToken cancellationToken, Func<ApiKeyStore, TextWriter, Task<int>> verb)
    {
        var builder = Host.CreateApplicationBuilder(parse.UnmatchedTokens.ToArray());
        builder.Logging.AddFilter(category: null, LogLevel.Warning);   // after appsettings.json's Default: Information, so it wins
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddJobsStorage(builder.Configuration, builder.Environment.ContentRootPath);
        using var host = builder.Build();
        await host.Services.GetServices<IHostedService>().OfType<JobsDatabaseMigrator>().Single().StartAsync(cancellationToken);
        await using var scope = host.Services.CreateAsyncScope();
        return await verb(scope.ServiceProvider.GetRequiredService<ApiKeyStore>(), parse.InvocationConfiguration.Output);
    }
}
