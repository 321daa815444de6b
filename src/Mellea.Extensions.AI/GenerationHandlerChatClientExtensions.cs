using Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>Converts between Mellea handlers and Microsoft.Extensions.AI chat clients.</summary>
public static class GenerationHandlerChatClientExtensions
{
    /// <summary>Exposes a Mellea handler or pipeline as an <see cref="IChatClient"/>.</summary>
    /// <param name="handler">The handler; a <c>GenerationPipeline</c> keeps all its middlewares.</param>
    /// <returns>The client.</returns>
    public static IChatClient AsChatClient(this IGenerationHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new GenerationHandlerChatClient(handler);
    }

    /// <summary>
    /// Wraps an <see cref="IChatClient"/> as a Mellea backend handler. What the client does not say (provider, endpoint, default
    /// model) comes from its <see cref="ChatClientMetadata"/>.
    /// </summary>
    /// <param name="chatClient">The client.</param>
    /// <param name="providerName">The OTel <c>gen_ai.provider.name</c>; default: the client's metadata, else <c>unknown</c>.</param>
    /// <param name="endpoint">The endpoint (only host and port are used); default: the client's metadata.</param>
    /// <param name="defaultModelId">The model when a request names none; default: the client's metadata.</param>
    /// <returns>The handler.</returns>
    public static IGenerationHandler AsGenerationHandler(this IChatClient chatClient, string? providerName = null, Uri? endpoint = null, string? defaultModelId = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        var metadata = chatClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        var name = providerName ?? metadata?.ProviderName;
        var info = new GenerationHandlerInfo(
            string.IsNullOrWhiteSpace(name) ? "unknown" : name,
            endpoint ?? metadata?.ProviderUri,
            defaultModelId ?? metadata?.DefaultModelId);
        return new ChatClientGenerationHandler(chatClient, info);
    }
}
