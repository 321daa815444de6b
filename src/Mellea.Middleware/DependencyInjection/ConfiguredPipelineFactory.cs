using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mellea;

/// <summary>Builds a pipeline from <see cref="GenerationPipelineSettings"/> and the registered named factories.</summary>
internal static class ConfiguredPipelineFactory
{
    public static GenerationPipeline Build(GenerationPipelineSettings settings, IServiceProvider services)
    {
        var where = settings.Name is null ? "Mellea" : $"Mellea:Pipelines:{settings.Name}";
        if (string.IsNullOrWhiteSpace(settings.Backend))
        {
            throw new InvalidOperationException($"{where}:Backend is not set. Set it to one of: {Known(services.GetServices<IGenerationBackendFactory>().Select(f => f.Name))}.");
        }

        var backends = services.GetServices<IGenerationBackendFactory>().ToList();
        var backendFactory = backends.LastOrDefault(f => string.Equals(f.Name, settings.Backend, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"{where}:Backend is '{settings.Backend}', but no backend of that name is registered. Registered: {Known(backends.Select(f => f.Name))}. Add the backend's package and call its AddMellea… method.");

        var builder = new GenerationPipelineBuilder(sp => backendFactory.Create(settings, sp));
        var middlewareFactories = services.GetServices<IGenerationMiddlewareFactory>().ToList();
        foreach (var name in settings.Middlewares)
        {
            var factory = middlewareFactories.LastOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOperationException(
                    $"{where}:Middlewares names '{name}', but no middleware of that name is registered. Registered: {Known(middlewareFactories.Select(f => f.Name))}.");
            builder.Use(sp => factory.Create(settings, sp));
        }

        return builder.Build(services);
    }

    private static string Known(IEnumerable<string> names)
    {
        var list = names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }
}

/// <summary>The built-in <c>defaults</c> middleware, configured from the "Defaults" section and the pipeline's Model.</summary>
internal sealed class DefaultOptionsMiddlewareFactory : IGenerationMiddlewareFactory
{
    public string Name => "defaults";

    public IGenerationMiddleware Create(GenerationPipelineSettings settings, IServiceProvider services)
    {
        var section = settings.GetMiddlewareSection("Defaults");
        var defaults = section.Get<DefaultOptionsSettings>() ?? new DefaultOptionsSettings();
        return new DefaultOptionsMiddleware(defaults.ToOptions(settings.Model));
    }
}
