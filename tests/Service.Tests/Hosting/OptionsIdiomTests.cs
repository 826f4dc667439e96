using System.Text.RegularExpressions;

namespace SpeechEmotion.Service.Tests.Hosting;

/// <summary>
/// The audit of the one options idiom, over the source: every settings class with a <c>SectionName</c> is registered
/// as <c>AddOptions&lt;T&gt;().BindConfiguration(T.SectionName)...ValidateOnStart()</c>, so a bad value stops
/// start-up instead of surfacing at first use, and no other binding style creeps back in.
/// </summary>
public sealed partial class OptionsIdiomTests
{
    /// <summary>Framework options configured on top of our own settings, not bound from a section of ours.</summary>
    private static readonly HashSet<string> FrameworkOptions = ["KestrelServerOptions", "SimpleConsoleFormatterOptions", "JsonConsoleFormatterOptions", "RateLimiterOptions"];

    [Fact]
    public void Every_settings_class_is_bound_with_BindConfiguration_and_validated_on_start()
    {
        var sources = SourceFiles().ToDictionary(path => path, File.ReadAllText);
        var settingsClasses = sources.Values.SelectMany(text => SettingsClass().Matches(text)).Select(m => m.Groups["name"].Value).ToHashSet();
        var registrations = sources.Values.SelectMany(text => Registration().Matches(text))
            .Select(m => (Type: m.Groups["type"].Value, Chain: m.Value))
            .Where(r => !FrameworkOptions.Contains(r.Type))
            .ToList();

        Assert.NotEmpty(settingsClasses);
        Assert.All(settingsClasses, name => Assert.Contains(registrations, r => r.Type == name));
        Assert.All(registrations, r =>
        {
            Assert.True(r.Chain.Contains($".BindConfiguration({r.Type}.SectionName)"), $"{r.Type} is not bound with BindConfiguration: {r.Chain}");
            Assert.True(r.Chain.Contains(".ValidateOnStart()"), $"{r.Type} is not validated on start: {r.Chain}");
        });
        Assert.All(sources, source => Assert.False(OtherBinding().IsMatch(source.Value),
            $"{source.Key} binds options another way (Configure<T>(section) or .Bind(GetSection(...)))"));
    }

    private static IEnumerable<string> SourceFiles()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "SpeechEmotion.slnx")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        return Directory.EnumerateFiles(Path.Combine(root.FullName, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
    }

    [GeneratedRegex(@"class (?<name>\w+Options)\b[^{]*\{\s*public const string SectionName")]
    private static partial Regex SettingsClass();

    /// <summary>From AddOptions&lt;T&gt;() to the end of the statement.</summary>
    [GeneratedRegex(@"AddOptions<(?<type>\w+)>\(\)[^;]*;")]
    private static partial Regex Registration();

    [GeneratedRegex(@"Configure<\w+Options>\(\s*\w*[cC]onfiguration\.GetSection|\.Bind\(\s*\w*[cC]onfiguration\.GetSection")]
    private static partial Regex OtherBinding();
}
