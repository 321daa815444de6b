using Microsoft.Extensions.Configuration;

namespace Mellea;

/// <summary>
/// One pipeline as configuration describes it: the "Mellea" section, or one entry of its "Pipelines" section.
/// </summary>
/// <remarks>
/// <code language="json">
/// "Mellea": {
///   "Backend": "ollama", "Model": "granite3.3:8b", "BaseUrl": "http://localhost:11434",
///   "Middlewares": [ "tracing", "metrics", "retry", "defaults" ],
///   "Defaults": { "Temperature": 0.2, "MaxOutputTokens": 512 },
///   "Retry": { "MaxRetries": 2 },
///   "Pipelines": { "fast": { "Backend": "openai", "Model": "gpt-4o-mini" } }
/// }
/// </code>
/// A named pipeline takes every key it does not set from the top level. Environment variables override the file through
/// the usual configuration layering (<c>Mellea__Model</c>, <c>Mellea__Pipelines__fast__Model</c>).
/// </remarks>
public sealed class GenerationPipelineSettings
{
    private readonly IConfigurationSection? _section;
    private readonly IConfigurationSection? _root;

    /// <summary>Creates settings by hand (tests, code-first apps).</summary>
    public GenerationPipelineSettings()
    {
    }

    internal GenerationPipelineSettings(string? name, IConfigurationSection root, IConfigurationSection? section)
    {
        Name = name;
        _root = root;
        _section = section;
        string? Read(string key) => section?[key] ?? root[key];
        Backend = Read(nameof(Backend));
        Model = Read(nameof(Model));
        BaseUrl = Read(nameof(BaseUrl));
        var middlewares = section?.GetSection(nameof(Middlewares));
        if (middlewares is null || !middlewares.GetChildren().Any())
        {
            middlewares = root.GetSection(nameof(Middlewares));
        }

        Middlewares = [.. middlewares.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())];
    }

    /// <summary>The pipeline's name, or <see langword="null"/> for the default pipeline.</summary>
    public string? Name { get; init; }

    /// <summary>The backend's name, matched against <see cref="IGenerationBackendFactory.Name"/>.</summary>
    public string? Backend { get; init; }

    /// <summary>The default model.</summary>
    public string? Model { get; init; }

    /// <summary>The provider's base URL; overrides the backend's environment variable.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The middlewares, outermost first, matched against <see cref="IGenerationMiddlewareFactory.Name"/>.</summary>
    public IReadOnlyList<string> Middlewares { get; init; } = [];

    /// <summary>
    /// The options section for one middleware or backend (<c>Retry</c>, <c>Tracing</c>, <c>OpenAI</c>): the pipeline's own if it
    /// has one, else the top level's. An empty section when configuration has none.
    /// </summary>
    /// <param name="name">The section's name.</param>
    public IConfigurationSection GetMiddlewareSection(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var own = _section?.GetSection(name);
        if (own is not null && own.Exists())
        {
            return own;
        }

        return _root?.GetSection(name) ?? EmptySection.Create(name);
    }

    /// <inheritdoc/>
    public override string ToString() => $"pipeline {Name ?? "(default)"}: {Backend} {Model} [{string.Join(", ", Middlewares)}]";

    private static class EmptySection
    {
        public static IConfigurationSection Create(string name) =>
            new ConfigurationBuilder().Build().GetSection(name);
    }
}
