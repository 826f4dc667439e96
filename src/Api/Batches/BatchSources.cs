using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SharpCompress.Readers;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Processing.Batches;

namespace SpeechEmotion.Api.Batches;

/// <summary>
/// Where a batch's members come from: an uploaded archive (zip, tar, tar.gz; SharpCompress reads it forward only,
/// straight off the request body, one member at a time) or a server-side folder under Batches:AllowedFolders.
/// Either way the batch is created at the first member and sealed at the end, whatever happened in between: an
/// intake ended early (the client gone, the archive damaged, the database failing) keeps the members it added and is
/// sealed as interrupted, so the batch still completes.
/// </summary>
public sealed class BatchSources(
    BatchLifecycle lifecycle,
    BatchIntake intake,
    IOptions<BatchOptions> batchOptions,
    IOptions<UploadOptions> uploadOptions,
    ILogger<BatchSources> logger)
{
    public const string ArchiveField = "archive";

    public async Task<Guid> FromArchiveUploadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var boundary = MultipartBoundaryOf(request);
        // The whole body may be far larger than one upload (Kestrel's limit is sized for those): lift it for this request.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = batchOptions.Value.MaxArchiveBytes;
        }
        await using var body = new TimedRequestBody(request.Body, uploadOptions.Value);
        var reader = new MultipartReader(boundary, body);
        while (await ReadSection(reader, cancellationToken) is { } section)
        {
            if (!IsArchiveSection(section, out var archiveName))
            {
                await section.Body.CopyToAsync(Stream.Null, cancellationToken);   // unknown fields are skipped, as on POST /jobs
                continue;
            }
            // Once the body itself failed, whatever the archive reader throws is the request's end, not damage.
            return await FromArchiveAsync(section.Body, archiveName, error => IsArchiveError(error) && !body.ReadFailed, cancellationToken);
        }
        throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.MissingArchive,
            $"The multipart form has no '{ArchiveField}' field (a zip, tar or tar.gz file).");
    }

    private async Task<Guid> FromArchiveAsync(Stream archive, string archiveName, Func<Exception, bool> isDamage, CancellationToken cancellationToken)
    {
        await using var reader = await OpenArchive(archive, isDamage, cancellationToken);
        Guid? batchId = null;
        var end = IntakeEnd.Interrupted;
        try
        {
            while (await NextMember(reader, isDamage, batchId, cancellationToken) is { } entry)
            {
                batchId ??= (await lifecycle.CreateAsync(BatchKind.Archive, archiveName, cancellationToken)).Id;
                await using var content = await reader.OpenEntryStreamAsync(cancellationToken);
                await intake.AddMemberAsync(batchId.Value, entry.Key ?? "member", content, isDamage, RecordedCrc32(reader, entry), cancellationToken);
            }
            end = IntakeEnd.Complete;
        }
        catch (ArchiveDamagedException damaged)
        {
            logger.LogWarning(damaged.InnerException, "Batch {BatchId}: archive damaged; members after this point were not read", batchId);
        }
        finally
        {
            if (batchId is { } id)
            {
                // Sealed even when the request ends early (client gone, broker down): the members in are a batch.
                await lifecycle.SealAsync(id, end, CancellationToken.None);
            }
        }
        return batchId ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.UnreadableArchive,
            "The archive holds no files.");
    }

    /// <summary>
    /// The next file entry (directories skipped); null at the end. Damage before the first member makes the archive
    /// unreadable (400); damage after it ends the intake with the members read so far (<see cref="ArchiveDamagedException"/>).
    /// </summary>
    private static async Task<SharpCompress.Common.IEntry?> NextMember(IAsyncReader reader, Func<Exception, bool> isDamage, Guid? batchId,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (!await reader.MoveToNextEntryAsync(cancellationToken))
                {
                    return null;
                }
            }
            catch (Exception error) when (isDamage(error))
            {
                throw batchId is null ? UnreadableArchive() : new ArchiveDamagedException(error);
            }
            if (reader.Entry is { IsDirectory: false } entry)
            {
                return entry;
            }
        }
    }

    private sealed class ArchiveDamagedException(Exception damage) : Exception("The archive is damaged past this point.", damage);

    /// <summary>A zip records each member's CRC-32 (0 when it is written after the data, which a forward-only read cannot use).</summary>
    private static uint? RecordedCrc32(IAsyncReader reader, SharpCompress.Common.IEntry entry) =>
        reader.Type == SharpCompress.Common.ArchiveType.Zip && entry.Crc != 0 ? (uint)entry.Crc : null;

    private static async Task<IAsyncReader> OpenArchive(Stream archive, Func<Exception, bool> isDamage, CancellationToken cancellationToken)
    {
        try
        {
            return await ReaderFactory.OpenAsyncReader(archive, new ReaderOptions { LeaveStreamOpen = true }, cancellationToken);
        }
        catch (Exception error) when (isDamage(error))
        {
            throw UnreadableArchive();
        }
    }

    public async Task<Guid> FromFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var root = AllowedFolder(folder);
        // Symbolic links are skipped: they could lead out of the allowed folder.
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        }).Order(StringComparer.Ordinal);
        var batch = await lifecycle.CreateAsync(BatchKind.Folder, root, cancellationToken);
        var end = IntakeEnd.Interrupted;
        try
        {
            foreach (var path in files)
            {
                await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
                await intake.AddMemberAsync(batch.Id, Path.GetRelativePath(root, path), content, error => error is IOException, expectedCrc32: null, cancellationToken);
            }
            end = IntakeEnd.Complete;
        }
        finally
        {
            await lifecycle.SealAsync(batch.Id, end, CancellationToken.None);
        }
        return batch.Id;
    }

    /// <summary>The folder, fully resolved, when it is one of Batches:AllowedFolders or lies under one; 403 otherwise.</summary>
    private string AllowedFolder(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathFullyQualified(folder))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidBatchRequest, "folder must be an absolute path.");
        }
        var resolved = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var allowed = batchOptions.Value.AllowedFolders
            .Select(root => Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)))
            .Any(root => resolved == root || resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (!allowed)
        {
            throw new ApiProblemException(StatusCodes.Status403Forbidden, ErrorCodes.FolderNotAllowed,
                "This folder is not under any folder the service's configuration allows (Batches:AllowedFolders).");
        }
        if (!Directory.Exists(resolved) || new DirectoryInfo(resolved).LinkTarget is not null)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.FolderNotFound, "The folder does not exist on the server.");
        }
        return resolved;
    }

    /// <summary>
    /// What a damaged or foreign archive throws from SharpCompress (format, CRC, truncation, zlib errors), as opposed
    /// to the request's own refusals (408, 413, a cancelled request), which keep their answers.
    /// </summary>
    private static bool IsArchiveError(Exception error) =>
        error is not (ApiProblemException or OperationCanceledException or BadHttpRequestException);

    private static ApiProblemException UnreadableArchive() =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.UnreadableArchive, "The archive is not a zip, tar or tar.gz file that can be read.");

    private static async Task<MultipartSection?> ReadSection(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception error) when (error is (IOException or InvalidDataException) and not BadHttpRequestException)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.MalformedMultipart, "The multipart body is malformed or truncated.");
        }
    }

    private static bool IsArchiveSection(MultipartSection section, out string archiveName)
    {
        archiveName = "";
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
            || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, ArchiveField, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value;
        archiveName = ClientText.FileName(string.IsNullOrWhiteSpace(name) ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value : name);
        return true;
    }

    private static string MultipartBoundaryOf(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.NotMultipart,
                $"Send an archive as multipart/form-data with an '{ArchiveField}' field, or JSON with 'folder' or 'reprocess'.");
        }
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 70)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.MalformedMultipart,
                "The multipart Content-Type needs a boundary of 1 to 70 characters.");
        }
        return boundary;
    }
}
