using Microsoft.AspNetCore.Http.HttpResults;
using SpeechEmotion.Api.Jobs;
using SpeechEmotion.Api.OpenApi;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Completion;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Api.Emotion;

/// <summary>The answer of POST /emotion: exactly these two fields.</summary>
public sealed record EmotionAnswer(string Emotion, IReadOnlyDictionary<string, float> Probabilities);

public static class EmotionEndpoints
{
    public static IEndpointRouteBuilder MapEmotionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/emotion", DetectEmotion)
            .WithTags("Emotion")
            .WithName("DetectEmotion")
            .WithSummary("Upload a recording and wait for its emotion.")
            .WithDescription("Same upload as POST /jobs (up to Uploads:MaxClipBytes), but waits (Emotion:WaitTimeout, default 30 s) for the result. Past the wait it answers 202 with the job's link; bad audio answers 422 with the job's error code.")
            .Accepts<UploadForm>("multipart/form-data")
            .ProducesUploadProblems()
            .ProducesProblemCodes(StatusCodes.Status422UnprocessableEntity, [.. ErrorCodes.AudioProblems.Order(StringComparer.Ordinal)])
            .ProducesProblemCodes(StatusCodes.Status500InternalServerError, ErrorCodes.ProcessingFailed)
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<EmotionAnswer>, Accepted<JobAccepted>, ProblemHttpResult>> DetectEmotion(
        HttpRequest request,
        UploadReader uploads,
        JobSubmitter submitter,
        JobWaiter waiter,
        JobCompletionSignal completion,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        await using var upload = await uploads.ReadClipAsync(request, cancellationToken);
        var jobId = Guid.CreateVersion7();
        using var _ = loggers.CreateLogger(typeof(EmotionEndpoints)).BeginJobScope(jobId);
        // Listen before publishing, so a job that finishes instantly cannot slip past the signal.
        var finished = completion.WhenFinished(jobId);
        try
        {
            await submitter.SubmitAsync(jobId, upload, cancellationToken);
            var job = await waiter.WaitAsync(jobId, finished, cancellationToken);
            return AnswerFor(job);
        }
        finally
        {
            completion.Forget(jobId);
        }
    }

    private static Results<Ok<EmotionAnswer>, Accepted<JobAccepted>, ProblemHttpResult> AnswerFor(JobSnapshot snapshot)
    {
        var job = snapshot.Job;
        if (snapshot.SucceededResult is { } result)
        {
            return TypedResults.Ok(new EmotionAnswer(result.Emotion, result.Probabilities));
        }
        if (job.Status == JobStatus.Failed)
        {
            var code = job.ErrorCode ?? ErrorCodes.ProcessingFailed;
            var status = ErrorCodes.AudioProblems.Contains(code) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status500InternalServerError;
            return ApiProblems.Create(status, code, job.ErrorMessage ?? "The recording could not be analysed.",
                new Dictionary<string, object?> { ["jobId"] = job.Id, ["links"] = new JobLinks(JobViews.SelfLink(job.Id)) });
        }
        // Still queued or processing: hand over the job instead of holding the connection.
        return TypedResults.Accepted(JobViews.SelfLink(job.Id), JobViews.Accepted(job));
    }
}
