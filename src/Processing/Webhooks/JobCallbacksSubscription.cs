using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Webhooks;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// A tenant's JobCallbacks row: the secret that signs the <c>callbackUrl</c> deliveries of that tenant's jobs, which
/// the tenant reads and rotates through <c>POST /webhooks/callbacks/rotate-secret</c>. Made on first use, by whichever
/// comes first: a job of the tenant ending with a callbackUrl, or the tenant asking for the secret.
/// </summary>
public static class JobCallbacksSubscription
{
    /// <param name="Created">True when this call made the row (its secret has been shown to no one yet).</param>
    public sealed record Found(WebhookSubscription Subscription, bool Created);

    /// <summary>The tenant's row, tracked; made with a fresh secret when it has none yet.</summary>
    public static async Task<Found> EnsureAsync(JobsDbContext db, Guid tenantId, DateTime now, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, tenantId, cancellationToken) is { } existing)
        {
            return new Found(existing, Created: false);
        }
        var created = New(tenantId, now);
        db.WebhookSubscriptions.Add(created);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new Found(created, Created: true);
        }
        catch (DbUpdateException)
        {
            // Another job of the tenant (or its rotate call) made the row at the same moment: the unique
            // (tenant, callbacks) index refused this one, so use that one.
            db.Entry(created).State = EntityState.Detached;
            if (await FindAsync(db, tenantId, cancellationToken) is { } winner)
            {
                return new Found(winner, Created: false);
            }
            throw;
        }
    }

    private static Task<WebhookSubscription?> FindAsync(JobsDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Kind == WebhookSubscriptionKind.JobCallbacks && s.TenantId == tenantId, cancellationToken);

    private static WebhookSubscription New(Guid tenantId, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenantId,
        Kind = WebhookSubscriptionKind.JobCallbacks,
        Events = [WebhookEvents.JobSucceeded, WebhookEvents.JobFailed],
        Secret = WebhookSecrets.NewSecret(),
        CreatedAt = now,
    };
}
