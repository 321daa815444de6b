using System.Globalization;
using Mellea.Backends.Ollama;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Ollama backend.</summary>
public static class OllamaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OllamaBackend"/> as a singleton over the named <see cref="HttpClient"/> <see cref="OllamaBackend.HttpClientName"/>,
    /// and the <c>ollama</c> backend that configuration-driven pipelines (<c>"Backend": "ollama"</c>) select. A configured pipeline takes
    /// its <c>BaseUrl</c> and <c>Model</c> from the pipeline settings, and <c>ApiKey</c> and <c>MaxConcurrency</c> from its "Ollama" section,
    /// over the options set here and the environment.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the named client, to add handlers or set its timeout.</returns>
    public static IHttpClientBuilder AddMelleaOllama(this IServiceCollection services, Action<OllamaBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<OllamaBackendOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new OllamaBackend(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<OllamaBackendOptions>>().Value));
        services.AddGenerationBackend(OllamaBackend.ProviderName, static (settings, sp) =>
        {
            var merged = sp.GetRequiredService<IOptions<OllamaBackendOptions>>().Value.Clone();
            var section = settings.GetMiddlewareSection("Ollama");
            merged.BaseUrl = settings.BaseUrl ?? section["BaseUrl"] ?? merged.BaseUrl;
            merged.Model = settings.Model ?? section["Model"] ?? merged.Model;
            merged.ApiKey = section["ApiKey"] ?? merged.ApiKey;
            if (int.TryParse(section["MaxConcurrency"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var degree))
            {
                merged.MaxConcurrency = degree;
            }

            return new OllamaBackend(sp.GetRequiredService<IHttpClientFactory>(), merged);
        });

        // Loading a model can take minutes on first use, longer than HttpClient's 100-second default.
        return services.AddHttpClient(OllamaBackend.HttpClientName, static client => client.Timeout = TimeSpan.FromMinutes(5));
    }
}
