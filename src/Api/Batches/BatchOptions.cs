namespace SpeechEmotion.Api.Batches;

/// <summary>Settings of POST /batches, bound from the configuration section "Batches".</summary>
public sealed class BatchOptions
{
    public const string SectionName = "Batches";

    /// <summary>
    /// Server-side folders <c>{ "folder": … }</c> may name: the folder must be one of these or lie under one. Empty
    /// (the default) refuses every folder with 403 folder_not_allowed.
    /// </summary>
    public string[] AllowedFolders { get; set; } = [];

    /// <summary>Largest archive upload, in bytes (default 20 GiB): members are streamed, so this bounds time, not memory.</summary>
    public long MaxArchiveBytes { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>Most job ids one <c>reprocess.jobIds</c> may list.</summary>
    public int MaxJobIds { get; set; } = 10_000;

    public bool IsValid => MaxArchiveBytes > 0 && MaxJobIds > 0 && AllowedFolders.All(Path.IsPathFullyQualified);
}
