namespace Mellea.Testing;

/// <summary>
/// Finds the recorded provider payloads of shared/fixtures, which sit next to the repository (<c>&lt;repo root&gt;/../shared/fixtures</c>,
/// the repository root being the folder that holds Mellea.sln), for this repository's own test projects. Fixtures are read in place,
/// never copied or changed. Nothing here skips a test: this project does not reference a test framework, so each caller turns a
/// null into its own skip.
/// </summary>
/// <remarks>Internal (seen by the test projects through InternalsVisibleTo) because the folder layout means nothing to an app that uses this package.</remarks>
internal static class SharedFixtures
{
    private static readonly Lazy<string?> LazyRoot = new(FindRoot);

    /// <summary>The full path of shared/fixtures, or null when it is not next to the repository (or the repository is not above the running tests).</summary>
    public static string? Root => LazyRoot.Value;

    /// <summary>A provider's fixtures folder (for example <c>openai</c>), or null when it or shared/fixtures is absent.</summary>
    /// <param name="provider">The folder name under shared/fixtures.</param>
    /// <returns>The folder's full path, or null.</returns>
    public static string? ProviderDirectory(string provider)
    {
        if (Root is not { } root)
        {
            return null;
        }

        var folder = Path.Combine(root, provider);
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>Why <see cref="ProviderDirectory"/> gave null, worded for a test's skip message.</summary>
    /// <param name="provider">The folder name under shared/fixtures.</param>
    /// <returns>The reason.</returns>
    public static string MissingReason(string provider) =>
        Root is null ? "shared/fixtures is not next to the repository (expected <repo root>/../shared/fixtures)." : $"shared/fixtures/{provider} is absent.";

    /// <summary>The path of one fixture file, or null when the provider's folder is absent. The file itself is not checked.</summary>
    /// <param name="provider">The folder name under shared/fixtures.</param>
    /// <param name="name">The file name.</param>
    /// <returns>The file's full path, or null.</returns>
    public static string? PathOf(string provider, string name) => ProviderDirectory(provider) is { } folder ? Path.Combine(folder, name) : null;

    /// <summary>The file names of a provider's folder in ordinal order; empty when the folder is absent.</summary>
    /// <param name="provider">The folder name under shared/fixtures.</param>
    /// <returns>The names, without their folder.</returns>
    public static IReadOnlyList<string> Names(string provider) =>
        ProviderDirectory(provider) is { } folder
            ? [.. Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
            : [];

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mellea.sln")))
            {
                var fixtures = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures"));
                return Directory.Exists(fixtures) ? fixtures : null;
            }
        }

        return null;
    }
}
