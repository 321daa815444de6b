using Mellea.Backends.OpenAI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the OpenAI backend.</summary>
public static class OpenAIServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OpenAIBackend"/> as a singleton over the named <see cref="HttpClient"/> <see cref="OpenAIBackend.HttpClientName"/>,
    /// and the <c>openai</c> backend that configuration-driven pipelines (<c>"Backend": "openai"</c>) select. A configured pipeline takes
    /// its <c>BaseUrl</c> and <c>Model</c> from the pipeline settings and <c>ApiKey</c>, <c>Organization</c>, <c>Project</c> from its
    /// "OpenAI" section, over the options set here and the environment.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the named client, to add handlers or set its timeout.</returns>
    public static IHttpClientBuilder AddMelleaOpenAI(this IServiceCollection services, Action<OpenAIBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<OpenAIBackendOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new OpenAIBackend(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<OpenAIBackendOptions>>().Value));
        services.AddGenerationBackend(OpenAIBackend.ProviderName, static (settings, sp) =>
        {
            var merged = sp.GetRequiredService<IOptions<OpenAIBackendOptions>>().Value.Clone();
            var section = settings.GetMiddlewareSection("OpenAI");
            merged.BaseUrl = settings.BaseUrl ?? section["BaseUrl"] ?? merged.BaseUrl;
            merged.Model = settings.Model ?? section["Model"] ?? merged.Model;
            merged.ApiKey = section["ApiKey"] ?? merged.ApiKey;
            merged.Organization = section["Organization"] ?? merged.Organization;
            merged.Project = section["Project"] ?? merged.Project;
            return new OpenAIBackend(sp.GetRequiredService<IHttpClientFactory>(), merged);
        });
        return services.AddHttpClient(OpenAIBackend.HttpClientName);
    }
}
