namespace SpeechEmotion.Persistence.Tenancy;

/// <summary>
/// An API key of a tenant. Only the SHA-256 of the key is stored (<see cref="ApiKeySecret"/>), and its first
/// characters (<see cref="Prefix"/>) so an operator can tell keys apart in <c>keys list</c>.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Tenant? Tenant { get; set; }
    /// <summary>Lower-case hex SHA-256 of the whole key; unique, so a request finds its key with one indexed lookup.</summary>
    public required string Hash { get; set; }
    public required string Prefix { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public bool IsRevoked => RevokedAt is not null;
}
