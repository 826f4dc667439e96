namespace SpeechEmotion.Persistence.Tenancy;

/// <summary>
/// Whose data this scope may see (scoped service). Two states:
/// <list type="bullet">
/// <item><b>all tenants</b>, the default: background work (the job consumer, the recovery sweep, the keys
/// command) acts for every tenant;</item>
/// <item><b>one tenant</b>, after <see cref="Restrict"/>: the Api restricts every request's scope, to the tenant of the
/// caller's key (or the default tenant in Open mode), or to <see cref="Tenant.Nobody"/> for unauthenticated requests.</item>
/// </list>
/// A scope is restricted once and for all: a second <see cref="Restrict"/> to another tenant throws.
/// </summary>
public sealed class CurrentTenant
{
    /// <summary>The tenant this scope is restricted to; null while it acts for all tenants.</summary>
    public Guid? Id { get; private set; }

    public bool IsRestricted => Id is not null;

    public void Restrict(Guid tenantId)
    {
        if (Id is { } current && current != tenantId)
        {
            throw new InvalidOperationException("This scope is already restricted to another tenant.");
        }
        Id = tenantId;
    }
}
