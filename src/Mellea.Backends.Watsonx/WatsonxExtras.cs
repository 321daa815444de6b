namespace Mellea.Backends.Watsonx;

/// <summary>The keys this backend writes into <see cref="GenerationMetadata.ProviderExtras"/>.</summary>
public static class WatsonxExtras
{
    /// <summary>
    /// The provider's own finish reasons where the normalized value differs (for example <c>time_limit</c>, reported as <c>length</c>; or
    /// <c>eos_token</c>, reported as <c>stop</c>), as a <see cref="string"/> array.
    /// </summary>
    public const string RawFinishReasons = "ibm.watsonx.ai.raw_finish_reasons";
}
