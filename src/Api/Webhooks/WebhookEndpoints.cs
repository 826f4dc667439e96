using SpeechEmotion.Api.OpenApi;
using SpeechEmotion.Persistence.Tenancy;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Processing.Webhooks;

namespace SpeechEmotion.Api.Webhooks;

/// <summary>
/// Webhook subscriptions (<c>/webhooks</c>), the per-job callbacks' secret (<c>/webhooks/callbacks</c>) and the
/// deliveries of a job. Sending is not done here: events become delivery rows that every process's
/// <see cref="WebhookDispatcher"/> sends.
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/webhooks").WithTags("Webhooks");

        webhooks.MapPost("/", CreateWebhook)
            // The body's schema for the OpenAPI document only: Accepts<T> would also make routing refuse other content
            // types itself, with the upload endpoints' not_multipart code.
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) => operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(CreateWebhookRequest), null, cancellationToken) },
                },
            })
            .WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to events; the answer shows its signing secret, once.")
            .WithDescription("JSON `{ \"url\", \"events\": [\"job.succeeded\", \"job.failed\", \"batch.completed\"] }`. Deliveries are signed as the Standard Webhooks specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature`).")
            .ProducesProblemCodes(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, ErrorCodes.InvalidWebhookUrl, ErrorCodes.InvalidWebhookEvents, ErrorCodes.WebhookAddressNotAllowed)
            .ProducesProblemCodes(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.NotJson);

        webhooks.MapGet("/", ListWebhooks)
            .WithName("ListWebhooks")
            .WithSummary("The subscriptions (without their secrets).");

        webhooks.MapGet("/{id}", GetWebhook)
            .WithName("GetWebhook")
            .WithSummary("One subscription (without its secret); `status` is `disabled` after a receiver answered 410.")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.WebhookNotFound);

        webhooks.MapDelete("/{id}", DeleteWebhook)
            .WithName("DeleteWebhook")
            .WithSummary("Stop sending to a subscription; its pending deliveries are cancelled, past ones keep their history.")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.WebhookNotFound);

        webhooks.MapPost("/{id}/rotate-secret", RotateSecret)
            .WithName("RotateWebhookSecret")
            .WithSummary("A new signing secret, shown once. `id` is a subscription's id, or `callbacks` for the caller's own secret that signs its jobs' callbackUrl deliveries.")
            .WithDescription("Until `previousSecretExpiresAt` (Webhooks:SecretRotationOverlap) deliveries carry a signature by the old secret too, so receivers can switch without losing events.")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.WebhookNotFound);

        app.MapGet("/jobs/{id}/deliveries", ListJobDeliveries)
            .WithTags("Webhooks")
            .WithName("ListJobDeliveries")
            .WithSummary("The webhook and callback deliveries of a job, each with its attempts (time, status code, error, start of the answer).")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound);

        app.MapPost("/deliveries/{id}/retry", RetryDelivery)
            .WithTags("Webhooks")
            .WithName("RetryDelivery")
            .WithSummary("Send a dead delivery again, with a fresh retry schedule.")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.DeliveryNotFound)
            .ProducesProblemCodes(StatusCodes.Status409Conflict, ErrorCodes.DeliveryNotDead, ErrorCodes.WebhookDisabled);

        return app;
    }

    private static async Task<Results<Created<WebhookCreated>, ProblemHttpResult>> CreateWebhook(HttpRequest http,
        JobsDbContext db, IOptions<WebhookOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        // Read here rather than bound by the framework, so a wrong body gets this endpoint's codes.
        if (!http.HasJsonContentType())
        {
            return ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.NotJson, "The body must be JSON (Content-Type: application/json).");
        }
        CreateWebhookRequest? request;
        try
        {
            request = await http.ReadFromJsonAsync<CreateWebhookRequest>(cancellationToken);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest,
                "The body must be a JSON object { \"url\": string, \"events\": [string] }.");
        }
        var check = WebhookAddressRules.Check(request.Url, options.Value.AllowPrivateNetworks);
        if (check == WebhookUrlCheck.Invalid)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidWebhookUrl,
                $"url must be an absolute http or https URL of at most {WebhookAddressRules.MaxUrlLength} characters.");
        }
        if (check == WebhookUrlCheck.NotAllowed)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.WebhookAddressNotAllowed,
                "url points at a loopback, private, link-local or multicast address, which webhooks may not call.");
        }
        if (request.Events is not { Count: > 0 } events || events.Any(e => !WebhookEvents.All.Contains(e)))
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidWebhookEvents,
                $"events must list one or more of: {string.Join(", ", WebhookEvents.All)}.");
        }

        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(),
            Kind = WebhookSubscriptionKind.Endpoint,
            Url = request.Url!.Trim(),
            Events = events.Distinct().ToList(),
            Secret = WebhookSecrets.NewSecret(),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/webhooks/{subscription.Id}", new WebhookCreated(subscription.Id, subscription.Url,
            subscription.Events, WebhookViews.StatusOf(subscription), subscription.CreatedAt, subscription.Secret));
    }

    private static async Task<Ok<WebhookList>> ListWebhooks(JobsDbContext db, CancellationToken cancellationToken)
    {
        var subscriptions = await Endpoints(db).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(new WebhookList(subscriptions.Select(WebhookViews.Describe).ToList()));
    }

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> GetWebhook(string id, JobsDbContext db, CancellationToken cancellationToken)
    {
        var subscription = await FindEndpoint(id, db, cancellationToken);
        return subscription is null ? NoSuchWebhook() : TypedResults.Ok(WebhookViews.Describe(subscription));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(string id, JobsDbContext db, DeliveryLedger ledger,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var deleted = Guid.TryParse(id, out var subscriptionId)
            && await Endpoints(db).Where(s => s.Id == subscriptionId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.DeletedAt, now), cancellationToken) == 1;
        if (!deleted)
        {
            return NoSuchWebhook();
        }
        await ledger.CancelPendingAsync(subscriptionId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SecretRotated>, ProblemHttpResult>> RotateSecret(string id, JobsDbContext db,
        IOptions<WebhookOptions> options, TimeProvider time, CurrentTenant tenant, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        WebhookSubscription? subscription;
        if (id == WebhookViews.CallbacksId)
        {
            // The caller's own callbacks row: each tenant's callbacks are signed with its own secret.
            var callbacks = await JobCallbacksSubscription.EnsureAsync(db, CallersTenant(tenant), now, cancellationToken);
            if (callbacks.Created)
            {
                // Made just now: its secret was never shown, so nothing needs an old one beside it.
                return TypedResults.Ok(new SecretRotated(id, callbacks.Subscription.Secret, PreviousSecretExpiresAt: null));
            }
            subscription = callbacks.Subscription;
        }
        else
        {
            subscription = await FindEndpoint(id, db, cancellationToken, tracked: true);
        }
        if (subscription is null)
        {
            return NoSuchWebhook();
        }
        // The old secret keeps signing (beside the new one) until it expires, so receivers can switch without losing events.
        subscription.PreviousSecret = subscription.Secret;
        subscription.PreviousSecretExpiresAt = now + options.Value.SecretRotationOverlap;
        subscription.Secret = WebhookSecrets.NewSecret();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new SecretRotated(id, subscription.Secret, subscription.PreviousSecretExpiresAt));
    }

    /// <summary>Every request's scope is restricted to its caller's tenant (see TenantSecurity) before an endpoint runs.</summary>
    private static Guid CallersTenant(CurrentTenant tenant) =>
        tenant.Id ?? throw new InvalidOperationException("A request's scope acts for all tenants: TenantSecurity did not restrict it.");

    private static async Task<Results<Ok<DeliveryList>, ProblemHttpResult>> ListJobDeliveries(string id, JobsDbContext db, JobLifecycle jobs,
        CancellationToken cancellationToken)
    {
        var job = Guid.TryParse(id, out var jobId) ? await jobs.FindRowAsync(jobId, cancellationToken) : null;
        if (job is null)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound, "There is no job with this id.");
        }
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Attempts)
            .Where(d => d.JobId == job.Id)
            .OrderBy(d => d.CreatedAt)
            .ToListAsync(cancellationToken);
        var subscriptionIds = deliveries.Select(d => d.SubscriptionId).Distinct().ToList();
        // Past the tenant filter: a callback made before callbacks secrets were per tenant was signed by the default tenant's row.
        var kinds = await db.WebhookSubscriptions.IgnoreQueryFilters()
            .Where(s => subscriptionIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.Kind, cancellationToken);
        return TypedResults.Ok(new DeliveryList(deliveries.Select(d => WebhookViews.Describe(d, kinds[d.SubscriptionId])).ToList()));
    }

    private static async Task<Results<Accepted<DeliveryView>, ProblemHttpResult>> RetryDelivery(string id, JobsDbContext db,
        DeliveryLedger ledger, WebhookDispatchSignal dispatch, CancellationToken cancellationToken)
    {
        var delivery = Guid.TryParse(id, out var deliveryId)
            ? await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken)
            : null;
        if (delivery is null || !await IsCallersAsync(delivery, db, cancellationToken))
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.DeliveryNotFound, "There is no delivery with this id.");
        }
        // Found past the tenant filter: a callback made before callbacks secrets were per tenant was signed by the
        // default tenant's row.
        var subscription = await db.WebhookSubscriptions.IgnoreQueryFilters().AsNoTracking()
            .SingleAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
        if (!subscription.IsActive)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.WebhookDisabled,
                "The delivery's webhook was deleted or disabled (its receiver answered 410); subscribe again to receive events.");
        }
        if (!await ledger.ResendDeadAsync(deliveryId, cancellationToken))
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.DeliveryNotDead,
                "Only a dead delivery (retries exhausted) can be sent again; this one is pending, delivered or cancelled.");
        }
        dispatch.Notify();
        var resent = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Attempts).SingleAsync(d => d.Id == deliveryId, cancellationToken);
        return TypedResults.Accepted($"/jobs/{resent.JobId}/deliveries", WebhookViews.Describe(resent, subscription.Kind));
    }

    private static IQueryable<WebhookSubscription> Endpoints(JobsDbContext db) =>
        db.WebhookSubscriptions.Where(s => s.Kind == WebhookSubscriptionKind.Endpoint && s.DeletedAt == null);

    private static async Task<WebhookSubscription?> FindEndpoint(string id, JobsDbContext db, CancellationToken cancellationToken, bool tracked = false)
    {
        if (!Guid.TryParse(id, out var subscriptionId))
        {
            return null;   // a malformed id is just another unknown webhook
        }
        var query = tracked ? Endpoints(db) : Endpoints(db).AsNoTracking();
        return await query.SingleOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken);
    }

    /// <summary>A delivery is the caller's when its job or batch is (both are filtered by tenant): another's is 404.</summary>
    private static async Task<bool> IsCallersAsync(WebhookDelivery delivery, JobsDbContext db, CancellationToken cancellationToken) =>
        delivery.JobId is { } jobId ? await db.Jobs.AnyAsync(j => j.Id == jobId, cancellationToken)
        : delivery.BatchId is { } batchId && await db.Batches.AnyAsync(b => b.Id == batchId, cancellationToken);

    private static ProblemHttpResult NoSuchWebhook() =>
        ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.WebhookNotFound, "There is no webhook with this id.");
}
