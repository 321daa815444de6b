using System.Text.Json;

namespace Mellea.Backends.Native.Tests;

/// <summary>Finds shared/fixtures next to the repository; tests that need it skip when it is absent. Fixtures are read, never copied or changed.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The fixtures folder of a provider, or skips the test.</summary>
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

    /// <summary>Every file name of a provider's folder (empty when the folder is absent; the tests then skip).</summary>
    public static TheoryData<string> Names(string provider)
    {
        var data = new TheoryData<string>();
        var root = Root.Value;
        if (root is null || !System.IO.Directory.Exists(Path.Combine(root, provider)))
        {
            data.Add("(fixtures absent)");
            return data;
        }

        foreach (var name in System.IO.Directory.GetFiles(Path.Combine(root, provider)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    public static JsonElement Json(string provider, string name)
    {
        using var document = JsonDocument.Parse(System.IO.File.ReadAllText(File(provider, name)));
        return document.RootElement.Clone();
    }

    /// <summary>The status and headers of a Hugging Face <c>*.exchange.json</c> recording.</summary>
    public static (int Status, Dictionary<string, string> Headers) Exchange(string provider, string name)
    {
        var exchange = Json(provider, name);
        var response = exchange.GetProperty("response");
        var status = response.GetProperty("status").GetProperty("code").GetInt32();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.GetProperty("headers").EnumerateObject())
        {
            headers[header.Name] = string.Join(", ", header.Value.EnumerateArray().Select(v => v.GetString()));
        }

        return (status, headers);
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
