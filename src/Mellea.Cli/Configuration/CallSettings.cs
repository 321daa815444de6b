namespace Mellea.Cli.Configuration;

/// <summary>
/// Everything one call needs, resolved with the precedence flags &gt; config file &gt; environment. Values left null here
/// are read from the provider's environment variables by the backend itself, which is what "the environment is last" means.
/// </summary>
internal sealed class CallSettings
{
    public required BackendProfile Backend { get; init; }

    /// <summary>The model: <c>--model</c>, else the file, else the backend's default.</summary>
    public required string Model { get; init; }

    /// <summary>The base URL from a flag or the file; null lets the backend read its variable or use its default.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The base URL the call goes to, for messages: <see cref="BaseUrl"/>, else the variable, else the default.</summary>
    public string? EffectiveBaseUrl { get; init; }

    /// <summary>Where <see cref="EffectiveBaseUrl"/> came from (<c>--base-url</c>, the file, a variable, the default).</summary>
    public string? BaseUrlSource { get; init; }

    /// <summary>The key from the file; null lets the backend read its variable. Never printed.</summary>
    public string? ApiKey { get; init; }

    public string? ProjectId { get; init; }

    public string? SpaceId { get; init; }

    public string? IamUrl { get; init; }

    public string? Organization { get; init; }

    public string? Project { get; init; }

    public string? SystemPrompt { get; init; }

    public string? ConversationId { get; init; }

    public required GenerationOptions Options { get; init; }

    public int MaxRetries { get; init; } = new RetryOptions().MaxRetries;

    /// <inheritdoc/>
    public override string ToString() => $"{Backend.Name} {Model} at {EffectiveBaseUrl ?? "(unset)"}, key {(ApiKey is null ? "from the environment" : "from the config file")}";
}
