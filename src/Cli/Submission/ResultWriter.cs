using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Cli.Submission;

public enum ResultFormat
{
    Csv,
    Jsonl,
}

/// <summary>
/// One row per file, appended as each result arrives: CSV (file, job id, status, emotion, the seven probabilities,
/// model version, error code) or JSON lines (the same, probabilities as an object, plus the error message).
/// </summary>
internal sealed class ResultWriter : IAsyncDisposable
{
    private readonly StreamWriter _writer;
    private readonly ResultFormat _format;
    private readonly SemaphoreSlim _write = new(1, 1);

    private ResultWriter(StreamWriter writer, ResultFormat format)
    {
        _writer = writer;
        _format = format;
    }

    public static async Task<ResultWriter> OpenAsync(string path, ResultFormat format)
    {
        var isNew = !File.Exists(path) || new FileInfo(path).Length == 0;
        var writer = new ResultWriter(new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)), format);
        if (isNew && format == ResultFormat.Csv)
        {
            await writer.WriteLineAsync(string.Join(',', ["file", "jobId", "status", "emotion", .. EmotionLabels.All, "modelVersion", "errorCode"]));
        }
        return writer;
    }

    /// <param name="job">The job as GET /jobs/{id} answers it, or null when the upload itself was refused.</param>
    public Task WriteAsync(string file, Guid? jobId, JsonObject? job, string? refusedCode = null, string? refusedMessage = null)
    {
        var status = job?["status"]?.GetValue<string>() ?? "refused";
        var result = job?["result"];
        var probabilities = result?["probabilities"];
        var errorCode = job?["error"]?["code"]?.GetValue<string>() ?? refusedCode;
        var errorMessage = job?["error"]?["message"]?.GetValue<string>() ?? refusedMessage;
        var line = _format == ResultFormat.Csv
            ? string.Join(',', [
                Csv(file), jobId?.ToString() ?? "", status, result?["emotion"]?.GetValue<string>() ?? "",
                .. EmotionLabels.All.Select(label => probabilities?[label]?.GetValue<double>().ToString("R", CultureInfo.InvariantCulture) ?? ""),
                Csv(result?["modelVersion"]?.GetValue<string>() ?? ""), errorCode ?? ""])
            : new JsonObject
            {
                ["file"] = file,
                ["jobId"] = jobId?.ToString(),
                ["status"] = status,
                ["emotion"] = result?["emotion"]?.GetValue<string>(),
                ["probabilities"] = probabilities?.DeepClone(),
                ["modelVersion"] = result?["modelVersion"]?.GetValue<string>(),
                ["error"] = errorCode is null ? null : new JsonObject { ["code"] = errorCode, ["message"] = errorMessage },
            }.ToJsonString(JsonSerializerOptions.Web);
        return WriteLineAsync(line);
    }

    private async Task WriteLineAsync(string line)
    {
        await _write.WaitAsync();
        try
        {
            await _writer.WriteLineAsync(line);
            await _writer.FlushAsync();
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : $"\"{field.Replace("\"", "\"\"")}\"";

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _write.Dispose();
    }
}
