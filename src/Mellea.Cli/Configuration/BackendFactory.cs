using Mellea.Backends.HuggingFace;
using Mellea.Backends.LiteLlm;
using Mellea.Backends.Ollama;
using Mellea.Backends.OpenAI;
using Mellea.Backends.Watsonx;

namespace Mellea.Cli.Configuration;

/// <summary>Creates the backend <see cref="CallSettings"/> name. Unset settings stay null so the backend reads the environment.</summary>
internal static class BackendFactory
{
    /// <summary>Creates the backend.</summary>
    /// <param name="settings">The resolved settings.</param>
    /// <param name="httpClient">The client; the caller owns it.</param>
    /// <param name="environment">The environment the backend reads its variables from.</param>
    public static IGenerationHandler Create(CallSettings settings, HttpClient httpClient, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(environment);
        return settings.Backend.Kind switch
        {
            BackendKind.OpenAI => new OpenAIBackend(
                httpClient,
                new OpenAIBackendOptions { BaseUrl = settings.BaseUrl, ApiKey = settings.ApiKey, Model = settings.Model, Organization = settings.Organization, Project = settings.Project },
                environment),
            BackendKind.LiteLlm => new LiteLlmBackend(
                httpClient,
                new LiteLlmBackendOptions { BaseUrl = settings.BaseUrl, ApiKey = settings.ApiKey, Model = settings.Model },
                environment),
            BackendKind.HuggingFace => new HuggingFaceBackend(
                httpClient,
                new HuggingFaceBackendOptions { BaseUrl = settings.BaseUrl, ApiKey = settings.ApiKey, Model = settings.Model },
                environment),
            BackendKind.Watsonx => new WatsonxBackend(
                httpClient,
                new WatsonxBackendOptions
                {
                    BaseUrl = settings.BaseUrl,
                    ApiKey = settings.ApiKey,
                    Model = settings.Model,
                    ProjectId = settings.ProjectId,
                    SpaceId = settings.SpaceId,
                    IamUrl = settings.IamUrl,
                },
                environment),
            _ => new OllamaBackend(
                httpClient,
                new OllamaBackendOptions { BaseUrl = settings.BaseUrl, ApiKey = settings.ApiKey, Model = settings.Model },
                environment),
        };
    }
}
