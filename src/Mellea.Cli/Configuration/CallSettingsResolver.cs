using System.Globalization;

namespace Mellea.Cli.Configuration;

/// <summary>Applies the precedence flags &gt; config file &gt; environment to make the <see cref="CallSettings"/> of a call.</summary>
internal static class CallSettingsResolver
{
    /// <summary>Resolves the settings.</summary>
    /// <param name="flags">The command line.</param>
    /// <param name="file">The config file, or <see cref="ConfigFile.None"/>.</param>
    /// <param name="host">The environment.</param>
    /// <exception cref="CliConfigurationException">The backend is unknown, no model is known, or a file value does not parse.</exception>
    public static CallSettings Resolve(CommandLineFlags flags, ConfigFile file, CliHost host)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(host);

        var backendName = flags.Backend ?? file.Get("Backend");
        BackendProfile backend;
        if (backendName is null)
        {
            backend = BackendProfile.Default;
        }
        else if (!BackendProfile.TryFind(backendName, out backend!))
        {
            var source = flags.Backend is not null ? "--backend" : $"Mellea:Backend in {file.Path}";
            throw new CliConfigurationException($"unknown backend '{backendName}' in {source}: use one of {BackendProfile.Names}");
        }

        var model = flags.Model ?? file.Get(backend, "Model") ?? file.Get("Model") ?? backend.DefaultModel
            ?? throw new CliConfigurationException($"no model for {backend.Name}: pass --model or set Mellea:Model in the config file");

        var (baseUrl, baseUrlSource) = flags.BaseUrl is { } flagUrl
            ? (flagUrl, "--base-url")
            : (file.Get(backend, "BaseUrl") ?? file.Get("BaseUrl")) is { } fileUrl
                ? (fileUrl, $"the config file {file.Path}")
                : ((string?)null, (string?)null);
        var (effectiveBaseUrl, effectiveSource) = baseUrl is not null
            ? (baseUrl, baseUrlSource)
            : backend.BaseUrlVariable is { } variable && host.Read(variable) is { } fromEnvironment
                ? (fromEnvironment, variable)
                : (backend.DefaultBaseUrl, backend.DefaultBaseUrl is null ? null : "the default");

        var stop = flags.Stop.Count > 0 ? flags.Stop : file.GetList("Defaults:StopSequences");
        var options = new GenerationOptions
        {
            ModelId = model,
            Temperature = flags.Temperature ?? ReadDouble(file, "Defaults:Temperature"),
            TopP = flags.TopP ?? ReadDouble(file, "Defaults:TopP"),
            MaxOutputTokens = flags.MaxTokens ?? ReadInt(file, "Defaults:MaxOutputTokens"),
            StopSequences = stop.Count > 0 ? [.. stop] : null,
            Seed = flags.Seed ?? ReadLong(file, "Defaults:Seed"),
            ConversationId = flags.ConversationId,
        };

        return new CallSettings
        {
            Backend = backend,
            Model = model,
            BaseUrl = baseUrl,
            EffectiveBaseUrl = effectiveBaseUrl,
            BaseUrlSource = effectiveSource,
            ApiKey = file.Get(backend, "ApiKey"),
            ProjectId = file.Get(backend, "ProjectId"),
            SpaceId = file.Get(backend, "SpaceId"),
            IamUrl = file.Get(backend, "IamUrl"),
            Organization = file.Get(backend, "Organization"),
            Project = file.Get(backend, "Project"),
            SystemPrompt = flags.System ?? file.Get("System"),
            ConversationId = flags.ConversationId,
            Options = options,
            MaxRetries = flags.Retries ?? ReadInt(file, "Retry:MaxRetries") ?? new RetryOptions().MaxRetries,
        };
    }

    private static double? ReadDouble(ConfigFile file, string key) =>
        file.Get(key) is not { } text ? null
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
            : throw Unparsable(file, key, "a number");

    private static int? ReadInt(ConfigFile file, string key) =>
        file.Get(key) is not { } text ? null
            : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
            : throw Unparsable(file, key, "a whole number");

    private static long? ReadLong(ConfigFile file, string key) =>
        file.Get(key) is not { } text ? null
            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
            : throw Unparsable(file, key, "a whole number");

    private static CliConfigurationException Unparsable(ConfigFile file, string key, string expected) =>
        new($"Mellea:{key} in {file.Path} is not {expected}: fix the config file");
}
