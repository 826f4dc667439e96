using SpeechEmotion.TestSupport.Waiting;
using System.Globalization;
using System.Text.Json.Nodes;
using SpeechEmotion.Api.Jobs;
using SpeechEmotion.Processing.Consuming;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Observability;

public sealed class LogTests
{
    private static readonly string ConsumerCategory = typeof(AnalyzeRecordingConsumer).FullName!;
    private static readonly string SubmitterCategory = typeof(JobSubmitter).FullName!;

    [Fact]
    public async Task Json_console_lines_about_a_job_carry_a_utc_timestamp_and_the_job_id()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Logging:Console:FormatterName"] = "json" }, ConsoleLineCapture.AddTo);
        using var client = api.CreateClient();

        var good = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        var silent = await api.SubmitAsync(client, GeneratedAudio.Silence(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, good);
        await EmbeddedApi.WaitUntilFinishedAsync(client, silent);

        var capture = ConsoleLineCapture.Of(api.Services);
        Assert.Equal("json", capture.FormatterName);
        // The consumer logs "succeeded" or "rejected" just after the job row is written, so the poll can win.
        await Eventually.HoldsAsync(
            () => new[] { good, silent }.All(jobId => capture.LinesOf(ConsumerCategory).Count(line => ScopedJobId(JsonNode.Parse(line)!) == jobId) >= 2),
            describe: () => string.Join("\n", capture.LinesOf(ConsumerCategory)));
        var consumerLines = capture.LinesOf(ConsumerCategory).Select(line => JsonNode.Parse(line)!).ToList();
        foreach (var jobId in new[] { good, silent })
        {
            // claimed, then succeeded or rejected
            Assert.True(consumerLines.Count(line => ScopedJobId(line) == jobId) >= 2,
                $"consumer lines of job {jobId}: {string.Join("\n", capture.LinesOf(ConsumerCategory))}");
        }
        Assert.All(consumerLines, line =>
        {
            Assert.NotNull(ScopedJobId(line));
            var timestamp = line["Timestamp"]!.GetValue<string>();
            Assert.EndsWith("Z", timestamp);
            Assert.True(DateTime.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _), timestamp);
        });
        var submitterLines = capture.LinesOf(SubmitterCategory).Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Contains(submitterLines, line => ScopedJobId(line) == good);
    }

    [Fact]
    public async Task Plain_console_lines_start_with_a_timestamp_and_name_the_job()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?>(), ConsoleLineCapture.AddTo);
        using var client = api.CreateClient();

        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, id);

        var capture = ConsoleLineCapture.Of(api.Services);
        Assert.Equal("simple", capture.FormatterName);
        var lines = capture.LinesOf(ConsumerCategory);
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z ", line);
            Assert.Contains($"JobId:{id}", line);
        });
    }

    /// <summary>The JobId of the line's logging scopes (not of its message text, which may name the job too).</summary>
    private static Guid? ScopedJobId(JsonNode line) =>
        line["Scopes"]!.AsArray()
            .Select(scope => scope?["JobId"]?.GetValue<string>())
            .Where(value => value is not null)
            .Select(value => (Guid?)Guid.Parse(value!))
            .FirstOrDefault();
}
