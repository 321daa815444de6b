namespace Mellea.Backends.OpenAI;

/// <summary>
/// Settings of <see cref="OpenAIBackend"/>. Every property is optional: an unset one falls back to its environment variable
/// (<c>OPENAI_API_KEY</c>, <c>OPENAI_BASE_URL</c>, <c>OPENAI_ORG_ID</c>, <c>OPENAI_PROJECT_ID</c>), then to its default.
/// </summary>
public sealed class OpenAIBackendOptions
{
    /// <summary>The environment variable of the API key.</summary>
    public const string ApiKeyVariable = "OPENAI_API_KEY";

    /// <summary>The environment variable of the base URL.</summary>
    public const string BaseUrlVariable = "OPENAI_BASE_URL";

    /// <summary>The environment variable of the organization.</summary>
    public const string OrganizationVariable = "OPENAI_ORG_ID";

    /// <summary>The environment variable of the project.</summary>
    public const string ProjectVariable = "OPENAI_PROJECT_ID";

    /// <summary>The base URL used when neither the options nor the environment set one.</summary>
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    /// <summary>The API key. Falls back to <c>OPENAI_API_KEY</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The base URL. Falls back to <c>OPENAI_BASE_URL</c>, then <c>https://api.openai.com/v1</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Sent as <c>OpenAI-Organization</c>. Falls back to <c>OPENAI_ORG_ID</c>.</summary>
    public string? Organization { get; set; }

    /// <summary>Sent as <c>OpenAI-Project</c>. Falls back to <c>OPENAI_PROJECT_ID</c>.</summary>
    public string? Project { get; set; }

    /// <summary>The model used when a request names none.</summary>
    public string? Model { get; set; }

    /// <summary>Returns a copy.</summary>
    public OpenAIBackendOptions Clone() => new() { ApiKey = ApiKey, BaseUrl = BaseUrl, Organization = Organization, Project = Project, Model = Model };

    /// <inheritdoc/>
    public override string ToString() => $"OpenAIBackendOptions(base={BaseUrl ?? "(env or default)"}, model={Model ?? "(unset)"}, key={(ApiKey is null ? "unset" : "set")})";
}
