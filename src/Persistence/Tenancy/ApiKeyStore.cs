using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Tenancy;

/// <summary>What a key string turned out to be: unknown, revoked, or the live key of a tenant.</summary>
public enum ApiKeyStatus
{
    Unknown,
    Revoked,
    Active,
}

public sealed record ApiKeyLookup(ApiKeyStatus Status, ApiKey? Key);

/// <summary>A key listed for an operator: never the key itself, which is not stored.</summary>
public sealed record ApiKeyListing(Guid Id, string TenantName, string Prefix, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>
/// The one home of API keys: made, listed and revoked by the <c>keys</c> command, looked up by the Api's
/// authentication on every request. Keys are not tenant-owned rows (a key is how the tenant is found), so the store
/// works on any <see cref="JobsDbContext"/>.
/// </summary>
public sealed class ApiKeyStore(JobsDbContext db, TimeProvider time)
{
    /// <summary>Makes a key for the tenant (created when it does not exist yet); the key string is returned only here.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string tenantName, CancellationToken cancellationToken)
    {
        var name = ValidTenantName(tenantName);
        var now = time.GetUtcNow().UtcDateTime;
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Name == name, cancellationToken);
        if (tenant is null)
        {
            tenant = new Tenant { Id = Guid.CreateVersion7(), Name = name, CreatedAt = now };
            db.Tenants.Add(tenant);
        }
        var secret = ApiKeySecret.NewKey();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.Id,
            Hash = ApiKeySecret.HashOf(secret),
            Prefix = ApiKeySecret.PrefixOf(secret),
            CreatedAt = now,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    public async Task<IReadOnlyList<ApiKeyListing>> ListAsync(CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking()
            .OrderBy(k => k.CreatedAt)
            .Select(k => new ApiKeyListing(k.Id, k.Tenant!.Name, k.Prefix, k.CreatedAt, k.RevokedAt))
            .ToListAsync(cancellationToken);

    /// <summary>False when there is no such key; revoking a revoked key keeps its first revocation time.</summary>
    public async Task<bool> RevokeAsync(Guid keyId, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null)
        {
            return false;
        }
        key.RevokedAt ??= time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<ApiKeyLookup> FindAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = ApiKeySecret.HashOf(secret);
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Hash == hash, cancellationToken);
        return key switch
        {
            null => new ApiKeyLookup(ApiKeyStatus.Unknown, null),
            { IsRevoked: true } => new ApiKeyLookup(ApiKeyStatus.Revoked, key),
            _ => new ApiKeyLookup(ApiKeyStatus.Active, key),
        };
    }

    /// <summary>Letters, digits, '.', '-', '_'; at most <see cref="Tenant.MaxNameLength"/> characters.</summary>
    public static string ValidTenantName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > Tenant.MaxNameLength || !trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new ArgumentException($"A tenant name is 1 to {Tenant.MaxNameLength} letters, digits, '.', '-' or '_'.", nameof(name));
        }
        return trimmed;
    }
}
