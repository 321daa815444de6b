namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Finds shared/fixtures next to the repository; tests that need it skip when it is absent.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The fixtures folder, or skips the test.</summary>
    public static string Directory(string provider)
    {
        var root = Root.Value;
        if (root is null)
        {
            Assert.Skip("shared/fixtures is not next to the repository (expected <repo root>/../shared/fixtures).");
        }

        var folder = Path.Combine(root, provider);
        if (!System.IO.Directory.Exists(folder))
        {
            Assert.Skip($"shared/fixtures/{provider} is absent.");
        }

        return folder;
    }

    public static string File(string provider, string name) => Path.Combine(Directory(provider), name);

    public static IEnumerable<string> Names(string provider)
    {
        var root = Root.Value;
        if (root is null || !System.IO.Directory.Exists(Path.Combine(root, provider)))
        {
            return [];
        }

        return System.IO.Directory.GetFiles(Path.Combine(root, provider)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Mellea.sln")))
            {
                var fixtures = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures"));
                return System.IO.Directory.Exists(fixtures) ? fixtures : null;
            }
        }

        return null;
    }
}
