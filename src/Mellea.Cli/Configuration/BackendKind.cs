namespace Mellea.Cli.Configuration;

/// <summary>The backends the command line can call, with the names <c>--backend</c> accepts.</summary>
internal enum BackendKind
{
    /// <summary><c>ollama</c>, the default: a local server needs no key.</summary>
    Ollama,

    /// <summary><c>openai</c>.</summary>
    OpenAI,

    /// <summary><c>huggingface</c>: TGI, Inference Endpoints or the router.</summary>
    HuggingFace,

    /// <summary><c>litellm</c>: a LiteLLM proxy.</summary>
    LiteLlm,

    /// <summary><c>watsonx</c>: IBM watsonx.ai.</summary>
    Watsonx,
}
