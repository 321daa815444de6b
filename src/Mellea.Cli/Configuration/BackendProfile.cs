using Mellea.Backends.HuggingFace;
using Mellea.Backends.LiteLlm;
using Mellea.Backends.Ollama;
using Mellea.Backends.OpenAI;
using Mellea.Backends.Watsonx;

namespace Mellea.Cli.Configuration;

/// <summary>
/// What the command line knows about one backend: its <c>--backend</c> name, its section in the config file, the
/// environment variables that hold its key and base URL, its default base URL and model, and what to tell a user whose
/// server is not running. Error lines and <c>--help</c> read it, so advice always names the right variable.
/// </summary>
internal sealed class BackendProfile
{
    private BackendProfile(BackendKind kind, string name, string section, string? keyVariable, string? baseUrlVariable, string? defaultBaseUrl, string? defaultModel, string startAdvice)
    {
        Kind = kind;
        Name = name;
        Section = section;
        KeyVariable = keyVariable;
        BaseUrlVariable = baseUrlVariable;
        DefaultBaseUrl = defaultBaseUrl;
        DefaultModel = defaultModel;
        StartAdvice = startAdvice;
    }

    /// <summary>Every backend, the default first.</summary>
    public static IReadOnlyList<BackendProfile> All { get; } =
    [
        new(BackendKind.Ollama, "ollama", "Ollama", OllamaBackendOptions.ApiKeyVariable, OllamaBackendOptions.HostVariable, OllamaBackendOptions.DefaultBaseUrl, "granite3.3:8b", "start Ollama with `ollama serve`"),
        new(BackendKind.OpenAI, "openai", "OpenAI", OpenAIBackendOptions.ApiKeyVariable, OpenAIBackendOptions.BaseUrlVariable, OpenAIBackendOptions.DefaultBaseUrl, "gpt-4o-mini", $"check --base-url or {OpenAIBackendOptions.BaseUrlVariable}"),
        new(BackendKind.HuggingFace, "huggingface", "HuggingFace", HuggingFaceBackendOptions.TokenVariable, HuggingFaceBackendOptions.BaseUrlVariable, HuggingFaceBackendOptions.DefaultBaseUrl, null, $"start the TGI server, or check --base-url or {HuggingFaceBackendOptions.BaseUrlVariable}"),
        new(BackendKind.LiteLlm, "litellm", "LiteLlm", LiteLlmBackendOptions.ApiKeyVariable, LiteLlmBackendOptions.BaseUrlVariable, LiteLlmBackendOptions.DefaultBaseUrl, null, $"start the proxy with `litellm --config <file>`, or check --base-url or {LiteLlmBackendOptions.BaseUrlVariable}"),
        new(BackendKind.Watsonx, "watsonx", "Watsonx", WatsonxBackendOptions.ApiKeyVariable, WatsonxBackendOptions.UrlVariable, null, "ibm/granite-3-3-8b-instruct", $"check --base-url or {WatsonxBackendOptions.UrlVariable}"),
    ];

    /// <summary>The default backend.</summary>
    public static BackendProfile Default => All[0];

    /// <summary>The names <c>--backend</c> accepts, comma-separated for messages.</summary>
    public static string Names => string.Join(", ", All.Select(profile => profile.Name));

    /// <summary>The backend.</summary>
    public BackendKind Kind { get; }

    /// <summary>The name <c>--backend</c> and the config file's <c>Backend</c> accept.</summary>
    public string Name { get; }

    /// <summary>The backend's section in the config file (<c>Mellea:OpenAI</c>), the same as <c>AddMellea</c> reads.</summary>
    public string Section { get; }

    /// <summary>The environment variable of the key or token.</summary>
    public string? KeyVariable { get; }

    /// <summary>The environment variable of the base URL.</summary>
    public string? BaseUrlVariable { get; }

    /// <summary>The base URL used when none is configured, or null when the backend needs one.</summary>
    public string? DefaultBaseUrl { get; }

    /// <summary>The model used when none is configured, or null when the user must name one.</summary>
    public string? DefaultModel { get; }

    /// <summary>What to do when nothing listens at the base URL.</summary>
    public string StartAdvice { get; }

    /// <summary>Finds a backend by name, case-insensitively.</summary>
    /// <param name="name">The name.</param>
    /// <param name="profile">The backend.</param>
    public static bool TryFind(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BackendProfile? profile)
    {
        profile = All.FirstOrDefault(candidate => string.Equals(candidate.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return profile is not null;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
