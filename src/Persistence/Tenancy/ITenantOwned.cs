namespace SpeechEmotion.Persistence.Tenancy;

/// <summary>
/// A row that belongs to one tenant (jobs today; batches, webhooks and deliveries implement it too). Implementing
/// this interface is all an entity needs: <see cref="Database.JobsDbContext"/> then
/// <list type="bullet">
/// <item>filters every query by the <see cref="CurrentTenant"/> (a global query filter, so a tenant's request never
/// sees another tenant's rows: they are simply not found, and the Api answers 404);</item>
/// <item>stamps <see cref="TenantId"/> on new rows from the <see cref="CurrentTenant"/>, and refuses to save a row
/// of another tenant, or a row without a tenant.</item>
/// </list>
/// </summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}
