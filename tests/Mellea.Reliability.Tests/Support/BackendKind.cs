namespace Mellea.Reliability.Tests.Support;

/// <summary>The five backends under test.</summary>
public enum BackendKind
{
    OpenAI,
    LiteLlm,
    Ollama,
    HuggingFace,
    Watsonx,
}
