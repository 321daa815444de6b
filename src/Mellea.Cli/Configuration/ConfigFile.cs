using Microsoft.Extensions.Configuration;

namespace Mellea.Cli.Configuration;

/// <summary>
/// The optional appsettings-style file (<c>--config</c>, else <c>MELLEA_CONFIG</c>): the same <c>"Mellea"</c> section that
/// <c>services.AddMellea(configuration)</c> reads, so one file serves an application and the command line.
/// </summary>
/// <remarks>
/// <code>
/// { "Mellea": { "Backend": "openai", "Model": "gpt-4o-mini", "BaseUrl": "…",
///               "Defaults": { "Temperature": 0.2, "MaxOutputTokens": 512 }, "Retry": { "MaxRetries": 3 },
///               "OpenAI": { "ApiKey": "…" }, "Watsonx": { "ApiKey": "…", "ProjectId": "…" } } }
/// </code>
/// </remarks>
internal sealed class ConfigFile
{
    /// <summary>The variable that names the file when <c>--config</c> does not.</summary>
    public const string PathVariable = "MELLEA_CONFIG";

    /// <summary>The section the file's settings live in.</summary>
    public const string SectionName = "Mellea";

    private readonly IConfigurationSection _root;

    private ConfigFile(IConfigurationSection root, string? path)
    {
        _root = root;
        Path = path;
    }

    /// <summary>No file: every lookup returns null.</summary>
    public static ConfigFile None { get; } = new(new ConfigurationBuilder().Build().GetSection(SectionName), null);

    /// <summary>The file's path, or null when there is none.</summary>
    public string? Path { get; }

    /// <summary>Loads the file <paramref name="path"/> names, or returns <see cref="None"/> when it names none.</summary>
    /// <param name="path">The path from <c>--config</c> or <c>MELLEA_CONFIG</c>.</param>
    /// <param name="setting">Where the path came from, named in errors.</param>
    /// <exception cref="CliConfigurationException">The file does not exist or is not valid JSON.</exception>
    public static ConfigFile Load(string? path, string setting)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return None;
        }

        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new CliConfigurationException($"the config file {fullPath} does not exist: check {setting}");
        }

        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(fullPath, optional: false, reloadOnChange: false).Build();
            return new ConfigFile(configuration.GetSection(SectionName), fullPath);
        }
        catch (Exception exception) when (exception is FormatException or InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            // The parser's message can quote the file's text, which may hold a key: name the file and the position only.
            throw new CliConfigurationException($"the config file {fullPath} is not valid JSON: fix it or point {setting} elsewhere", exception);
        }
    }

    /// <summary>A value of the <c>Mellea</c> section (<c>Backend</c>, <c>Model</c>, <c>Defaults:Temperature</c>).</summary>
    /// <param name="key">The key, with <c>:</c> between sections.</param>
    public string? Get(string key) => Normalize(_root[key]);

    /// <summary>A value of a backend's section (<c>OpenAI:ApiKey</c>).</summary>
    /// <param name="profile">The backend.</param>
    /// <param name="key">The key.</param>
    public string? Get(BackendProfile profile, string key) => Normalize(_root.GetSection(profile.Section)[key]);

    /// <summary>The values of a list (<c>Defaults:StopSequences</c>).</summary>
    /// <param name="key">The key.</param>
    public IReadOnlyList<string> GetList(string key) =>
        [.. _root.GetSection(key).GetChildren().Select(child => child.Value).Where(value => !string.IsNullOrWhiteSpace(value)).Select(value => value!)];

    /// <inheritdoc/>
    public override string ToString() => Path is null ? "no config file" : $"config file {Path}";

    private static string? Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
