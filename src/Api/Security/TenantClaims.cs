using System.Security.Claims;

namespace SpeechEmotion.Api.Security;

/// <summary>What an authenticated caller is: the claims <see cref="ApiKeyAuthenticationHandler"/> puts on the user.</summary>
public static class TenantClaims
{
    public const string TenantId = "speechemotion:tenant_id";
    /// <summary>Absent in Open mode, where no key is needed; the rate limiter partitions by it.</summary>
    public const string KeyId = "speechemotion:key_id";

    public static ClaimsPrincipal Principal(Guid tenantId, Guid? keyId, string scheme)
    {
        var claims = new List<Claim> { new(TenantId, tenantId.ToString()) };
        if (keyId is { } id)
        {
            claims.Add(new Claim(KeyId, id.ToString()));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    public static Guid? TenantIdOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TenantId), out var id) ? id : null;

    public static string? KeyIdOf(ClaimsPrincipal user) => user.FindFirstValue(KeyId);
}
