namespace Mellea.Backends.Ollama;

/// <summary>
/// Settings of <see cref="OllamaBackend"/>. Every property is optional: the host falls back to <c>OLLAMA_HOST</c>, then
/// <c>http://localhost:11434</c>; the key (only ollama.com's hosted API needs one) to <c>OLLAMA_API_KEY</c>.
/// </summary>
public sealed class OllamaBackendOptions
{
    /// <summary>The environment variable of the host.</summary>
    public const string HostVariable = "OLLAMA_HOST";

    /// <summary>The environment variable of the API key of ollama.com's hosted API.</summary>
    public const string ApiKeyVariable = "OLLAMA_API_KEY";

    /// <summary>The host used when neither the options nor the environment set one.</summary>
    public const string DefaultBaseUrl = "http://localhost:11434";

    /// <summary>Ollama's own port, used when a host is given without scheme and port (<c>OLLAMA_HOST=myhost</c>).</summary>
    public const int DefaultPort = 11434;

    /// <summary>
    /// The server: a URL (<c>http://localhost:11434</c>) or, as <c>OLLAMA_HOST</c> allows, <c>host</c> or <c>host:port</c>.
    /// Falls back to <c>OLLAMA_HOST</c>, then <see cref="DefaultBaseUrl"/>.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c> when set (ollama.com). Falls back to <c>OLLAMA_API_KEY</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model used when a request names none.</summary>
    public string? Model { get; set; }

    /// <summary>How many prompts of a raw batch are in flight at once. At least 1; 4 when unset.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Returns a copy.</summary>
    public OllamaBackendOptions Clone() => new() { BaseUrl = BaseUrl, ApiKey = ApiKey, Model = Model, MaxConcurrency = MaxConcurrency };

    /// <inheritdoc/>
    public override string ToString() => $"OllamaBackendOptions(host={BaseUrl ?? "(env or default)"}, model={Model ?? "(unset)"}, key={(ApiKey is null ? "unset" : "set")})";
}
