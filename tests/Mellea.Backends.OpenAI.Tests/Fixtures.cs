using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Finds shared/fixtures next to the repository; tests that need it skip when it is absent.</summary>
internal static class Fixtures
{
    /// <summary>The fixtures folder, or skips the test.</summary>
    public static string Directory(string provider)
    {
        var folder = SharedFixtures.ProviderDirectory(provider);
        if (folder is null)
        {
            Assert.Skip(SharedFixtures.MissingReason(provider));
        }

        return folder;
    }

    public static string File(string provider, string name) => Path.Combine(Directory(provider), name);

    public static IEnumerable<string> Names(string provider) => SharedFixtures.Names(provider);
}
