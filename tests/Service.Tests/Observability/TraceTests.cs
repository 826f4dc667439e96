using System.Diagnostics;
using SpeechEmotion.ServiceDefaults.Telemetry;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Observability;

public sealed class TraceTests
{
    [Fact]
    public async Task Upload_request_and_consumer_share_one_trace()
    {
        var spans = new SpanCapture();
        using var api = EmbeddedApi.With(new Dictionary<string, string?>(), spans.AddTo);
        using var client = api.CreateClient();

        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        var ofJob = await spans.WaitForAsync(all => Upload(all, id) is not null && Consume(all, id) is not null);

        var upload = Upload(ofJob, id);
        var consume = Consume(ofJob, id);
        Assert.True(upload is not null, $"no POST /jobs span tagged with job {id}; captured: {Describe(ofJob)}");
        Assert.True(consume is not null, $"no MassTransit span tagged with job {id}; captured: {Describe(ofJob)}");
        Assert.Equal(upload.TraceId, consume.TraceId);
        Assert.NotEqual(upload.SpanId, consume.SpanId);
        // The hop in between: MassTransit's publish span, a child of the request, in the same trace.
        Assert.Contains(ofJob, span => span.Source.Name == "MassTransit" && span.Kind == ActivityKind.Producer
            && span.TraceId == upload.TraceId && span.ParentSpanId == upload.SpanId);
    }

    private static Activity? Upload(IReadOnlyList<Activity> spans, Guid jobId) => spans.FirstOrDefault(span =>
        span.Source.Name == "Microsoft.AspNetCore" && span.Kind == ActivityKind.Server && IsAbout(span, jobId));

    private static Activity? Consume(IReadOnlyList<Activity> spans, Guid jobId) => spans.FirstOrDefault(span =>
        span.Source.Name == "MassTransit" && span.Kind == ActivityKind.Consumer && IsAbout(span, jobId));

    private static bool IsAbout(Activity span, Guid jobId) => span.GetTagItem(JobTelemetry.ActivityTag) as string == jobId.ToString();

    private static string Describe(IReadOnlyList<Activity> spans) =>
        string.Join("; ", spans.Select(span => $"{span.Source.Name}/{span.Kind}/{span.DisplayName}/{span.GetTagItem(JobTelemetry.ActivityTag)}"));
}
