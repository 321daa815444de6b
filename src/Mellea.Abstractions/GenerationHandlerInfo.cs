namespace Mellea;

/// <summary>What a handler talks to, known before any call.</summary>
public sealed class GenerationHandlerInfo
{
    /// <summary>Creates the description.</summary>
    /// <param name="providerName">The OTel <c>gen_ai.provider.name</c> value.</param>
    /// <param name="endpoint">The provider endpoint, if there is one. Only its host and port are used; never its path, query or credentials.</param>
    /// <param name="defaultModelId">The model used when a request names none.</param>
    public GenerationHandlerInfo(string providerName, Uri? endpoint = null, string? defaultModelId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        ProviderName = providerName;
        if (endpoint is not null && endpoint.IsAbsoluteUri)
        {
            ServerAddress = endpoint.Host;
            ServerPort = endpoint.Port;
        }

        DefaultModelId = defaultModelId;
    }

    /// <summary>The OTel <c>gen_ai.provider.name</c> value.</summary>
    public string ProviderName { get; }

    /// <summary>The endpoint's host (<c>server.address</c>).</summary>
    public string? ServerAddress { get; }

    /// <summary>The endpoint's port (<c>server.port</c>).</summary>
    public int? ServerPort { get; }

    /// <summary>The model used when a request names none.</summary>
    public string? DefaultModelId { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{ProviderName} at {ServerAddress}:{ServerPort} (model {DefaultModelId ?? "unset"})";
}
