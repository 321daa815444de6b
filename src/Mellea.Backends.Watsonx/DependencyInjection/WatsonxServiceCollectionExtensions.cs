using System.Globalization;
using Mellea.Backends.Watsonx;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the IBM watsonx.ai backend.</summary>
public static class WatsonxServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="WatsonxBackend"/> as a singleton over the named <see cref="HttpClient"/> <see cref="WatsonxBackend.HttpClientName"/>,
    /// and the <c>watsonx</c> backend that configuration-driven pipelines (<c>"Backend": "watsonx"</c>) select. A configured pipeline takes its
    /// <c>BaseUrl</c> and <c>Model</c> from the pipeline settings, and <c>ApiKey</c>, <c>ProjectId</c>, <c>SpaceId</c>, <c>IamUrl</c>,
    /// <c>ApiVersion</c> and <c>MaxConcurrency</c> from its "Watsonx" section, over the options set here and the environment.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the named client, to add handlers or set its timeout.</returns>
    public static IHttpClientBuilder AddMelleaWatsonx(this IServiceCollection services, Action<WatsonxBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WatsonxBackendOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new WatsonxBackend(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<WatsonxBackendOptions>>().Value));
        services.AddGenerationBackend(WatsonxBackend.BackendName, static (settings, sp) =>
        {
            var merged = sp.GetRequiredService<IOptions<WatsonxBackendOptions>>().Value.Clone();
            var section = settings.GetMiddlewareSection("Watsonx");
            merged.BaseUrl = settings.BaseUrl ?? section["BaseUrl"] ?? merged.BaseUrl;
            merged.Model = settings.Model ?? section["Model"] ?? merged.Model;
            merged.ApiKey = section["ApiKey"] ?? merged.ApiKey;
            merged.ProjectId = section["ProjectId"] ?? merged.ProjectId;
            merged.SpaceId = section["SpaceId"] ?? merged.SpaceId;
            merged.IamUrl = section["IamUrl"] ?? merged.IamUrl;
            merged.ApiVersion = section["ApiVersion"] ?? merged.ApiVersion;
            if (int.TryParse(section["MaxConcurrency"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var degree))
            {
                merged.MaxConcurrency = degree;
            }

            return new WatsonxBackend(sp.GetRequiredService<IHttpClientFactory>(), merged);
        });
        return services.AddHttpClient(WatsonxBackend.HttpClientName);
    }
}
