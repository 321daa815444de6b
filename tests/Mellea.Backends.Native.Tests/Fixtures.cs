using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Backends.Native.Tests;

/// <summary>Finds shared/fixtures next to the repository; tests that need it skip when it is absent. Fixtures are read, never copied or changed.</summary>
internal static class Fixtures
{
    /// <summary>The fixtures folder of a provider, or skips the test.</summary>
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

    /// <summary>Every file name of a provider's folder (empty when the folder is absent; the tests then skip).</summary>
    public static TheoryData<string> Names(string provider)
    {
        var data = new TheoryData<string>();
        if (SharedFixtures.ProviderDirectory(provider) is null)
        {
            data.Add("(fixtures absent)");
            return data;
        }

        foreach (var name in SharedFixtures.Names(provider))
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
}
