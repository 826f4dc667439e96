namespace SpeechEmotion.Bench;

/// <summary>"--name value" pairs from the command line.</summary>
public sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values;

    private BenchOptions(Dictionary<string, string> values) => _values = values;

    public static BenchOptions Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using var arg = args.GetEnumerator();
        while (arg.MoveNext())
        {
            if (!arg.Current.StartsWith("--")) throw new ArgumentException($"unexpected argument '{arg.Current}'");
            var name = arg.Current[2..];
            if (!arg.MoveNext()) throw new ArgumentException($"--{name} needs a value");
            values[name] = arg.Current;
        }
        return new BenchOptions(values);
    }

    public int Int(string name, int defaultValue) => _values.TryGetValue(name, out var value) ? int.Parse(value) : defaultValue;

    public string? String(string name) => _values.GetValueOrDefault(name);
}
