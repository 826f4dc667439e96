namespace SpeechEmotion.Bench;

/// <summary>Prints a two-column table; every figure printed comes from a measurement of this run.</summary>
public static class Report
{
    public static void Table(string title, IReadOnlyList<(string Name, string Value)> rows)
    {
        var nameWidth = Math.Max("measure".Length, rows.Max(row => row.Name.Length));
        var valueWidth = Math.Max("value".Length, rows.Max(row => row.Value.Length));
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine($"| {"measure".PadRight(nameWidth)} | {"value".PadLeft(valueWidth)} |");
        Console.WriteLine($"|{new string('-', nameWidth + 2)}|{new string('-', valueWidth + 1)}:|");
        foreach (var (name, value) in rows)
        {
            Console.WriteLine($"| {name.PadRight(nameWidth)} | {value.PadLeft(valueWidth)} |");
        }
    }

    public static string Machine => $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";

    /// <summary>Nearest-rank percentile of an ascending list.</summary>
    public static double Percentile(IReadOnlyList<double> ascending, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * ascending.Count);
        return ascending[Math.Clamp(rank - 1, 0, ascending.Count - 1)];
    }
}
