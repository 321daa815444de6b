using System.Text.RegularExpressions;

namespace Mellea.Cli.Tests;

/// <summary>
/// Every C# block in README.md and docs/configuration.md must appear, whitespace aside, in samples/Mellea.Samples, which
/// `dotnet build Mellea.sln` compiles. A doc edit that no longer compiles, or a sample change the docs did not follow, fails here.
/// </summary>
public sealed partial class DocSnippetTests
{
    public static TheoryData<string> Documents => ["README.md", "configuration.md"];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_csharp_block_of_the_doc_is_in_the_compiled_samples(string document)
    {
        var markdown = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", document));
        var samples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "samples"), "*.cs", SearchOption.AllDirectories)
            .Select(file => Normalize(File.ReadAllText(file)))
            .ToList();
        var blocks = CSharpBlock().Matches(markdown).Select(match => match.Groups["code"].Value).ToList();

        blocks.Should().NotBeEmpty($"{document} shows code");
        samples.Should().NotBeEmpty("the samples are copied beside the tests");
        foreach (var block in blocks)
        {
            var code = Normalize(string.Join('\n', block.Split('\n').Where(line => !UsingDirective().IsMatch(line))));
            samples.Should().Contain(sample => sample.Contains(code, StringComparison.Ordinal), $"this block of {document} must be compiled in samples/Mellea.Samples:\n{block}");
        }
    }

    private static string Normalize(string code) => Whitespace().Replace(code, " ").Trim();

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^\s*using [A-Za-z0-9_.]+;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
