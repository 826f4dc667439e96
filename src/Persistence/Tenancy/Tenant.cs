namespace SpeechEmotion.Persistence.Tenancy;

/// <summary>A customer of the service: API keys belong to it, and so does every <see cref="ITenantOwned"/> row.</summary>
public sealed class Tenant
{
    /// <summary>The one tenant of Open mode; jobs stored before tenants existed belong to it too (the migration says so).</summary>
    public static readonly Guid DefaultId = new("00000000-0000-0000-0000-000000000001");
    public const string DefaultName = "default";

    /// <summary>No tenant has this id: a scope restricted to it sees nothing (unauthenticated requests).</summary>
    public static readonly Guid Nobody = Guid.Empty;

    public const int MaxNameLength = 100;

    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
}
