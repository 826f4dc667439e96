using System.IO.Hashing;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Api.Jobs;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Batches;

namespace SpeechEmotion.Api.Batches;

/// <summary>
/// Turns one batch member (an archive entry, a file of a folder) into one job. The member streams to a temporary
/// file as an upload does (size limit, SHA-256), so one member at a time is on disk and none is in memory. A member
/// that is not audio, too large, empty or unreadable becomes a failed job with its error code: it never fails the
/// batch. Anything else (database, broker, the client going away) ends the intake.
/// </summary>
public sealed class BatchIntake(JobSubmitter submitter, BatchLifecycle batches, UploadReader uploads, IOptions<UploadOptions> uploadOptions)
{
    private static readonly AnalysisRequest DefaultRequest = new(ChannelHandling.Mix, []);

    /// <param name="memberPath">The member's path inside its archive or folder: the job's file name is its last segment,
    /// the whole path is kept in the job's metadata as <c>batchMember</c>.</param>
    /// <param name="isReadError">Whether an exception thrown while reading <paramref name="content"/> means the member is unreadable.</param>
    /// <param name="expectedCrc32">The CRC-32 the archive records for the member, when it records one (zip).</param>
    public async Task AddMemberAsync(Guid batchId, string memberPath, Stream content, Func<Exception, bool> isReadError,
        uint? expectedCrc32, CancellationToken cancellationToken)
    {
        await AddJobAsync(batchId, memberPath, content, isReadError, expectedCrc32, cancellationToken);
        await batches.MemberAddedAsync(batchId, cancellationToken);
    }

    /// <summary>The member's job: queued when it is audio, failed with its code when it is refused.</summary>
    private async Task AddJobAsync(Guid batchId, string memberPath, Stream content, Func<Exception, bool> isReadError,
        uint? expectedCrc32, CancellationToken cancellationToken)
    {
        var fileName = ClientText.FileName(memberPath);
        var metadata = JsonSerializer.Serialize(new { batchMember = ClientText.ShortText(memberPath) });
        Recording RecordingOf(long size, string sha256) => new()
        {
            Id = Guid.CreateVersion7(), FileName = fileName, ContentType = "application/octet-stream", SizeBytes = size, Sha256 = sha256,
        };
        Task Reject(string code, string message, long size = 0, string sha256 = "") =>
            submitter.RecordRejectedAsync(batchId, RecordingOf(size, sha256), metadata, code, message, cancellationToken);

        await using var file = uploads.CreateTemporaryFile();
        long size;
        string sha256;
        try
        {
            (size, sha256) = await UploadReader.CopyWithLimit(content, file, uploadOptions.Value.MaxBytes, cancellationToken);
        }
        catch (ApiProblemException tooLarge) when (tooLarge.Code == ErrorCodes.UploadTooLarge)
        {
            await Reject(tooLarge.Code, tooLarge.Message);
            return;
        }
        catch (Exception error) when (isReadError(error))
        {
            await Reject(ErrorCodes.CorruptArchiveMember, "The member could not be read out of its archive.");
            return;   // the archive reader tries the next member, and stops if the archive cannot go on
        }

        if (expectedCrc32 is { } expected && await Crc32Of(file, cancellationToken) != expected)
        {
            await Reject(ErrorCodes.CorruptArchiveMember, "The member's bytes do not match the checksum its archive records.", size, sha256);
            return;
        }
        if (size == 0)
        {
            await Reject(ErrorCodes.EmptyUpload, "The member is empty.", size, sha256);
            return;
        }
        if (await NotAudio(file, fileName, cancellationToken) is { } notAudio)
        {
            await Reject(notAudio.Code, notAudio.Message, size, sha256);
            return;
        }

        file.Position = 0;
        await using var upload = new ReceivedUpload(file, RecordingOf(size, sha256), callbackUrl: null, metadata, DefaultRequest);
        await submitter.SubmitAsync(Guid.CreateVersion7(), upload, cancellationToken, batchId);
    }

    private static async Task<uint> Crc32Of(FileStream file, CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        file.Position = 0;
        await crc.AppendAsync(file, cancellationToken);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>The decoder's first check, done here so that a member that is not audio is never stored or queued.</summary>
    private static async Task<AudioRejectedException?> NotAudio(FileStream file, string fileName, CancellationToken cancellationToken)
    {
        var header = new byte[AudioFileCheck.HeaderLength];
        file.Position = 0;
        var length = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        try
        {
            AudioFileCheck.EnsureLooksLikeAudio(fileName, header.AsSpan(0, length));
            return null;
        }
        catch (AudioRejectedException rejected)
        {
            return rejected;
        }
    }
}
