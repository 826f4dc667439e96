using System.Globalization;
using System.Text.RegularExpressions;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>One read of GET /metrics (Prometheus text format), parsed into series: name, labels, value.</summary>
public sealed partial class PrometheusScrape
{
    public sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private PrometheusScrape(string text, IReadOnlyList<Series> series)
    {
        Text = text;
        All = series;
    }

    public string Text { get; }

    public IReadOnlyList<Series> All { get; }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new PrometheusScrape(text, Parse(text));
    }

    /// <summary>
    /// Polls /metrics until <paramref name="done"/> holds (the exporter caches a scrape for a moment, and the
    /// consumer records after the job row is written), or the timeout passes; returns the last scrape either way.
    /// </summary>
    public static async Task<PrometheusScrape> WaitUntilAsync(HttpClient client, Func<PrometheusScrape, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var scrape = await ReadAsync(client);
            if (done(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Sum of the series called <paramref name="name"/> whose labels include all of <paramref name="labels"/>; null when none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        var matching = All.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    private static List<Series> Parse(string text)
    {
        var series = new List<Series>();
        foreach (var line in text.Split('\n'))
        {
            var match = SeriesLine().Match(line.TrimEnd('\r'));
            if (!match.Success)
            {
                continue;   // comments (# TYPE, # HELP) and blank lines
            }
            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(pair => pair.Groups["key"].Value, pair => pair.Groups["value"].Value);
            series.Add(new Series(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return series;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
