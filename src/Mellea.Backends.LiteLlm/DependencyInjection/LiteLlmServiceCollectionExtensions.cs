using Mellea.Backends.LiteLlm;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LiteLLM backend.</summary>
public static class LiteLlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LiteLlmBackend"/> as a singleton over the named client <see cref="LiteLlmBackend.HttpClientName"/>, and the
    /// <c>litellm</c> backend for configuration-driven pipelines: <c>BaseUrl</c> and <c>Model</c> from the pipeline settings,
    /// <c>ApiKey</c> from its "LiteLLM" section, over the options set here and the environment.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the named client.</returns>
    public static IHttpClientBuilder AddMelleaLiteLlm(this IServiceCollection services, Action<LiteLlmBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LiteLlmBackendOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new LiteLlmBackend(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<LiteLlmBackendOptions>>().Value));
        services.AddGenerationBackend(LiteLlmBackend.ProviderName, static (settings, sp) =>
        {
            var merged = sp.GetRequiredService<IOptions<LiteLlmBackendOptions>>().Value.Clone();
            var section = settings.GetMiddlewareSection("LiteLLM");
            merged.BaseUrl = settings.BaseUrl ?? section["BaseUrl"] ?? merged.BaseUrl;
            merged.Model = settings.Model ?? section["Model"] ?? merged.Model;
            merged.ApiKey = section["ApiKey"] ?? merged.ApiKey;
            if (bool.TryParse(section["RequireApiKey"], out var require))
            {
                merged.RequireApiKey = require;
            }

            return new LiteLlmBackend(sp.GetRequiredService<IHttpClientFactory>(), merged);
        });
        return services.AddHttpClient(LiteLlmBackend.HttpClientName);
    }
}
