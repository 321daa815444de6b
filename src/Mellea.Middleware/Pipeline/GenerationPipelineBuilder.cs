using Mellea.Pipeline;

namespace Mellea;

/// <summary>
/// Builds a <see cref="GenerationPipeline"/>: a backend handler wrapped in middlewares.
/// The first middleware added is the outermost, as in ASP.NET Core and Microsoft.Extensions.AI's ChatClientBuilder.
/// </summary>
public sealed class GenerationPipelineBuilder
{
    private readonly Func<IServiceProvider, IGenerationHandler> _handlerFactory;
    private List<Func<IServiceProvider, IGenerationMiddleware>>? _middlewareFactories;

    /// <summary>Creates a builder around a handler.</summary>
    /// <param name="handler">The backend.</param>
    public GenerationPipelineBuilder(IGenerationHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlerFactory = _ => handler;
    }

    /// <summary>Creates a builder around a handler made from services at <see cref="Build"/> time.</summary>
    /// <param name="handlerFactory">Makes the backend.</param>
    public GenerationPipelineBuilder(Func<IServiceProvider, IGenerationHandler> handlerFactory)
    {
        _handlerFactory = handlerFactory ?? throw new ArgumentNullException(nameof(handlerFactory));
    }

    /// <summary>The clock for measurements. When null, a <see cref="TimeProvider"/> from the services is used, or else the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Adds a middleware. The first one added is the outermost.</summary>
    /// <param name="middleware">The middleware.</param>
    /// <returns>This builder.</returns>
    public GenerationPipelineBuilder Use(IGenerationMiddleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        return Use(_ => middleware);
    }

    /// <summary>Adds a middleware made from services at <see cref="Build"/> time.</summary>
    /// <param name="middlewareFactory">Makes the middleware.</param>
    /// <returns>This builder.</returns>
    public GenerationPipelineBuilder Use(Func<IServiceProvider, IGenerationMiddleware> middlewareFactory)
    {
        ArgumentNullException.ThrowIfNull(middlewareFactory);
        (_middlewareFactories ??= []).Add(middlewareFactory);
        return this;
    }

    /// <summary>Adds a lambda middleware: <c>async (context, next) =&gt; { before; await next(context); after; }</c>.</summary>
    /// <param name="middleware">The lambda. It is called for chat, stream and raw calls alike.</param>
    /// <returns>This builder.</returns>
    public GenerationPipelineBuilder Use(Func<GenerationContext, GenerationDelegate, ValueTask> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        var adapter = new DelegateMiddleware(middleware);
        return Use(_ => adapter);
    }

    /// <summary>Builds the pipeline.</summary>
    /// <param name="services">Services for the factories; an empty provider when null.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="InvalidOperationException">A factory returned null.</exception>
    public GenerationPipeline Build(IServiceProvider? services = null)
    {
        services ??= EmptyServiceProvider.Instance;
        var handler = _handlerFactory(services)
            ?? throw new InvalidOperationException("The handler factory returned null; it must return an IGenerationHandler.");
        var middlewares = new IGenerationMiddleware[_middlewareFactories?.Count ?? 0];
        for (var i = 0; i < middlewares.Length; i++)
        {
            middlewares[i] = _middlewareFactories![i](services)
                ?? throw new InvalidOperationException($"The middleware factory at index {i} returned null; it must return an IGenerationMiddleware.");
        }

        var timeProvider = TimeProvider ?? services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        return new GenerationPipeline(handler, middlewares, timeProvider);
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>Starts a pipeline from a handler.</summary>
public static class GenerationHandlerBuilderExtensions
{
    /// <summary>Returns a builder that wraps <paramref name="handler"/>.</summary>
    /// <param name="handler">The backend.</param>
    public static GenerationPipelineBuilder AsBuilder(this IGenerationHandler handler) => new(handler);
}
