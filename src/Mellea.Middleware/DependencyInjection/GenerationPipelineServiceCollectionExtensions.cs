using Mellea;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Mellea pipelines in dependency injection.</summary>
public static class GenerationPipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default pipeline around the backend that <paramref name="backendFactory"/> makes, as a singleton
    /// <see cref="IGenerationHandler"/> and <see cref="GenerationPipeline"/>. Chain <c>Use…</c> calls on the returned builder.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="backendFactory">Makes the backend.</param>
    /// <returns>The pipeline's builder.</returns>
    public static GenerationPipelineBuilder AddGenerationPipeline(this IServiceCollection services, Func<IServiceProvider, IGenerationHandler> backendFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(backendFactory);
        var builder = new GenerationPipelineBuilder(backendFactory);
        services.AddSingleton(sp => builder.Build(sp));
        services.AddSingleton<IGenerationHandler>(sp => sp.GetRequiredService<GenerationPipeline>());
        return builder;
    }

    /// <summary>Registers the default pipeline around <paramref name="backend"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="backend">The backend.</param>
    /// <returns>The pipeline's builder.</returns>
    public static GenerationPipelineBuilder AddGenerationPipeline(this IServiceCollection services, IGenerationHandler backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return services.AddGenerationPipeline(_ => backend);
    }

    /// <summary>
    /// Registers a named pipeline as a keyed singleton <see cref="IGenerationHandler"/> and <see cref="GenerationPipeline"/>;
    /// resolve it with <c>[FromKeyedServices("name")]</c> or <c>GetRequiredKeyedService</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="backendFactory">Makes the backend.</param>
    /// <returns>The pipeline's builder.</returns>
    public static GenerationPipelineBuilder AddKeyedGenerationPipeline(this IServiceCollection services, string name, Func<IServiceProvider, IGenerationHandler> backendFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(backendFactory);
        var builder = new GenerationPipelineBuilder(backendFactory);
        services.AddKeyedSingleton(name, (sp, _) => builder.Build(sp));
        services.AddKeyedSingleton<IGenerationHandler>(name, (sp, key) => sp.GetRequiredKeyedService<GenerationPipeline>(key));
        return builder;
    }

    /// <summary>Registers a backend that configuration can select by <paramref name="name"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The backend's name.</param>
    /// <param name="create">Makes the handler from the pipeline's settings.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddGenerationBackend(this IServiceCollection services, string name, Func<GenerationPipelineSettings, IServiceProvider, IGenerationHandler> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton<IGenerationBackendFactory>(new NamedBackendFactory(name, create));
        return services;
    }

    /// <summary>Registers a middleware that configuration can list by <paramref name="name"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The middleware's name.</param>
    /// <param name="create">Makes the middleware from the pipeline's settings.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddGenerationMiddleware(this IServiceCollection services, string name, Func<GenerationPipelineSettings, IServiceProvider, IGenerationMiddleware> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton<IGenerationMiddlewareFactory>(new NamedMiddlewareFactory(name, create));
        return services;
    }

    /// <summary>
    /// Builds pipelines from the <paramref name="sectionName"/> section of <paramref name="configuration"/>: the default
    /// pipeline from its top level, and one keyed pipeline per entry of its "Pipelines" section. See
    /// <see cref="GenerationPipelineSettings"/> for the shape. Backends and middlewares are looked up by name among the
    /// registered <see cref="IGenerationBackendFactory"/> and <see cref="IGenerationMiddlewareFactory"/> services; the
    /// <c>defaults</c> middleware is built in.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration; layer environment variables over files to let them override.</param>
    /// <param name="sectionName">The section's name.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMellea(this IServiceCollection services, IConfiguration configuration, string sectionName = "Mellea")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);

        var root = configuration.GetSection(sectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGenerationMiddlewareFactory, DefaultOptionsMiddlewareFactory>());

        // The built-in middlewares can be named in configuration without further calls; an application that registered
        // its own (AddMelleaTracing(configure), …) keeps it.
        if (!HasMiddleware(services, TracingServiceCollectionExtensions.MiddlewareName))
        {
            services.AddMelleaTracing();
        }

        if (!HasMiddleware(services, MetricsServiceCollectionExtensions.MiddlewareName))
        {
            services.AddMelleaMetrics();
        }

        if (!HasMiddleware(services, RetryServiceCollectionExtensions.MiddlewareName))
        {
            services.AddMelleaRetry();
        }

        services.AddSingleton(sp => ConfiguredPipelineFactory.Build(new GenerationPipelineSettings(null, root, null), sp));
        services.AddSingleton<IGenerationHandler>(sp => sp.GetRequiredService<GenerationPipeline>());
        foreach (var pipeline in root.GetSection("Pipelines").GetChildren())
        {
            var name = pipeline.Key;
            services.AddKeyedSingleton(name, (sp, _) => ConfiguredPipelineFactory.Build(new GenerationPipelineSettings(name, root, pipeline), sp));
            services.AddKeyedSingleton<IGenerationHandler>(name, (sp, key) => sp.GetRequiredKeyedService<GenerationPipeline>(key));
        }

        return services;
    }

    private static bool HasMiddleware(IServiceCollection services, string name) =>
        services.Any(d => d.ServiceType == typeof(IGenerationMiddlewareFactory)
            && d.ImplementationInstance is IGenerationMiddlewareFactory factory
            && string.Equals(factory.Name, name, StringComparison.OrdinalIgnoreCase));

    private sealed class NamedBackendFactory(string name, Func<GenerationPipelineSettings, IServiceProvider, IGenerationHandler> create) : IGenerationBackendFactory
    {
        public string Name => name;

        public IGenerationHandler Create(GenerationPipelineSettings settings, IServiceProvider services) => create(settings, services);
    }

    private sealed class NamedMiddlewareFactory(string name, Func<GenerationPipelineSettings, IServiceProvider, IGenerationMiddleware> create) : IGenerationMiddlewareFactory
    {
        public string Name => name;

        public IGenerationMiddleware Create(GenerationPipelineSettings settings, IServiceProvider services) => create(settings, services);
    }
}
