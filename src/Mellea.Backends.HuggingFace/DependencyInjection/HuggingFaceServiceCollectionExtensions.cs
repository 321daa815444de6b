using System.Globalization;
using Mellea.Backends.HuggingFace;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Hugging Face backend.</summary>
public static class HuggingFaceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HuggingFaceBackend"/> as a singleton over the named <see cref="HttpClient"/> <see cref="HuggingFaceBackend.HttpClientName"/>,
    /// and the <c>huggingface</c> backend that configuration-driven pipelines (<c>"Backend": "huggingface"</c>) select. A configured pipeline takes
    /// its <c>BaseUrl</c> and <c>Model</c> from the pipeline settings, and <c>ApiKey</c>, <c>MaxConcurrency</c> and <c>UseCompletionsForRawBatch</c>
    /// from its "HuggingFace" section, over the options set here and the environment.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the named client, to add handlers or set its timeout.</returns>
    public static IHttpClientBuilder AddMelleaHuggingFace(this IServiceCollection services, Action<HuggingFaceBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<HuggingFaceBackendOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new HuggingFaceBackend(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<HuggingFaceBackendOptions>>().Value));
        services.AddGenerationBackend(HuggingFaceBackend.BackendName, static (settings, sp) =>
        {
            var merged = sp.GetRequiredService<IOptions<HuggingFaceBackendOptions>>().Value.Clone();
            var section = settings.GetMiddlewareSection("HuggingFace");
            merged.BaseUrl = settings.BaseUrl ?? section["BaseUrl"] ?? merged.BaseUrl;
            merged.Model = settings.Model ?? section["Model"] ?? merged.Model;
            merged.ApiKey = section["ApiKey"] ?? merged.ApiKey;
            if (int.TryParse(section["MaxConcurrency"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var degree))
            {
                merged.MaxConcurrency = degree;
            }

            if (bool.TryParse(section["UseCompletionsForRawBatch"], out var useCompletions))
            {
                merged.UseCompletionsForRawBatch = useCompletions;
            }

            return new HuggingFaceBackend(sp.GetRequiredService<IHttpClientFactory>(), merged);
        });
        return services.AddHttpClient(HuggingFaceBackend.HttpClientName);
    }
}
