using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Api.Security;

/// <summary>
/// Finds the caller's tenant. Auth:Mode=Open: everyone is the default tenant, no key asked. Auth:Mode=ApiKeys: the
/// key comes from <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>, and is looked up by its
/// hash (<see cref="ApiKeyStore"/>, one indexed query per request, so a revocation holds from the next request on).
/// A request without a usable key is challenged with 401 problem details whose code says why.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth,
    ApiKeyStore keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    private const string BearerPrefix = "Bearer ";

    /// <summary>Where the reason for a failed authentication waits for the challenge.</summary>
    private const string FailureCodeItem = "speechemotion:auth_failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (auth.Value.IsOpen)
        {
            return Authenticated(Tenant.DefaultId, keyId: null);
        }
        var secret = KeyOf(Request);
        if (secret is null)
        {
            Context.Items[FailureCodeItem] = ErrorCodes.MissingApiKey;
            return AuthenticateResult.NoResult();
        }
        var lookup = await keys.FindAsync(secret, Context.RequestAborted);
        switch (lookup.Status)
        {
            case ApiKeyStatus.Active:
                return Authenticated(lookup.Key!.TenantId, lookup.Key.Id);
            case ApiKeyStatus.Revoked:
                Context.Items[FailureCodeItem] = ErrorCodes.RevokedApiKey;
                return AuthenticateResult.Fail("The API key was revoked.");
            default:
                Context.Items[FailureCodeItem] = ErrorCodes.InvalidApiKey;
                return AuthenticateResult.Fail("The API key is not valid.");
        }
    }

    private AuthenticateResult Authenticated(Guid tenantId, Guid? keyId) =>
        AuthenticateResult.Success(new AuthenticationTicket(TenantClaims.Principal(tenantId, keyId, SchemeName), SchemeName));

    /// <summary>
    /// Bearer first, then X-Api-Key; blank values count as none. Only on the <c>/live</c> WebSocket also
    /// <c>?key=</c>: browsers and some voice platforms cannot set headers on a WebSocket handshake.
    /// </summary>
    private static string? KeyOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && authorization.Length > BearerPrefix.Length)
        {
            return authorization[BearerPrefix.Length..].Trim();
        }
        var header = request.Headers[ApiKeyHeader].ToString().Trim();
        if (header.Length > 0)
        {
            return header;
        }
        var query = request.Path.StartsWithSegments(LivePath) ? request.Query[LiveKeyParameter].ToString().Trim() : "";
        return query.Length > 0 ? query : null;
    }

    public const string LivePath = "/live";
    public const string LiveKeyParameter = "key";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var code = Context.Items[FailureCodeItem] as string ?? ErrorCodes.MissingApiKey;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(StatusCodes.Status401Unauthorized),
                Detail = DetailFor(code),
                Extensions = { [ApiProblems.CodeExtension] = code },
            },
        });
    }

    private static string DetailFor(string code) => code switch
    {
        ErrorCodes.RevokedApiKey => "The API key was revoked.",
        ErrorCodes.InvalidApiKey => "The API key is not valid.",
        _ => "An API key is required: send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.",
    };
}
