using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Api.Security;

/// <summary>
/// Keys, tenants and rate limits in one place. Every endpoint needs an authenticated caller (the fallback policy)
/// unless it says <c>AllowAnonymous()</c> (health, metrics, the OpenAPI document and its viewer), so an endpoint added
/// later is protected without doing anything. Each request's scope is then restricted to the caller's tenant
/// (<see cref="CurrentTenant"/>), which is what filters every <see cref="ITenantOwned"/> row.
/// </summary>
public static class TenantSecurity
{
    public static IServiceCollection AddTenantSecurity(this IServiceCollection services)
    {
        services.AddAuthMode();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());

        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName)
            .Validate(limits => limits.IsValid, "RateLimit: RequestsPerSecond and Burst must be positive.")
            .ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.GlobalLimiter = PerKeyLimiter(limits.Value);
            limiter.OnRejected = AnswerRateLimited;
        });
        return services;
    }

    /// <summary>After UseExceptionHandler (a database outage while looking up a key is a 503, not a 500).</summary>
    public static WebApplication UseTenantSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(RestrictScopeToCallersTenant);
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Anonymous requests are restricted too, to a tenant that does not exist: they can see no rows at all.</summary>
    private static Task RestrictScopeToCallersTenant(HttpContext context, RequestDelegate next)
    {
        context.RequestServices.GetRequiredService<CurrentTenant>().Restrict(TenantClaims.TenantIdOf(context.User) ?? Tenant.Nobody);
        return next(context);
    }

    private static PartitionedRateLimiter<HttpContext> PerKeyLimiter(RateLimitOptions limits) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => TenantClaims.KeyIdOf(context.User) is { } keyId
            ? RateLimitPartition.GetTokenBucketLimiter(keyId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.Burst,
                TokensPerPeriod = limits.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter("no key"));

    private static async ValueTask AnswerRateLimited(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://tools.ietf.org/html/rfc6585#section-4",
                Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(StatusCodes.Status429TooManyRequests),
                Detail = "This API key sent more requests than its rate limit allows; retry after the Retry-After seconds.",
                Extensions = { [ApiProblems.CodeExtension] = ErrorCodes.RateLimited },
            },
        });
    }
}
