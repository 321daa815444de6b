namespace Mellea;

/// <summary>
/// Makes a backend handler by name, so that configuration can choose the backend (<c>"Backend": "ollama"</c>).
/// Each backend package registers one (for example <c>AddMelleaOllama()</c>).
/// </summary>
public interface IGenerationBackendFactory
{
    /// <summary>The name configuration uses (<c>openai</c>, <c>ollama</c>, <c>huggingface</c>, <c>litellm</c>, <c>watsonx</c>). Case-insensitive.</summary>
    string Name { get; }

    /// <summary>Makes the handler.</summary>
    /// <param name="settings">The pipeline's settings: model, base URL, and the configuration section for backend-specific keys.</param>
    /// <param name="services">The application's services (for <c>IHttpClientFactory</c>, logging, …).</param>
    IGenerationHandler Create(GenerationPipelineSettings settings, IServiceProvider services);
}

/// <summary>Makes a middleware by name, so that configuration can list the middlewares (<c>"Middlewares": ["tracing", "retry"]</c>).</summary>
public interface IGenerationMiddlewareFactory
{
    /// <summary>The name configuration uses. Case-insensitive.</summary>
    string Name { get; }

    /// <summary>Makes the middleware.</summary>
    /// <param name="settings">The pipeline's settings; <see cref="GenerationPipelineSettings.GetMiddlewareSection"/> gives this middleware's options section.</param>
    /// <param name="services">The application's services.</param>
    IGenerationMiddleware Create(GenerationPipelineSettings settings, IServiceProvider services);
}
