namespace Mellea;

/// <summary>
/// A raw batch completion: prompt strings sent as they are, with no chat template, one result per prompt
/// (Python Mellea's <c>generate_from_raw</c>).
/// </summary>
public sealed class RawCompletionRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="prompts">The prompts. The list is copied.</param>
    /// <param name="options">The options.</param>
    public RawCompletionRequest(IEnumerable<string> prompts, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        Prompts = [.. prompts];
        Options = options;
    }

    /// <summary>The prompts, in order. Results come back in the same order.</summary>
    public IReadOnlyList<string> Prompts { get; }

    /// <summary>The options.</summary>
    public GenerationOptions? Options { get; }

    /// <summary>The template the prompts were made from, if any; telemetry records its name and version.</summary>
    public PromptTemplate? PromptTemplate { get; init; }

    /// <summary>Returns a request with the same prompts and template and other options.</summary>
    /// <param name="options">The new options.</param>
    public RawCompletionRequest WithOptions(GenerationOptions? options) => new(Prompts, options) { PromptTemplate = PromptTemplate };

    /// <summary>Checks the request and throws an <see cref="ArgumentException"/> that names the first bad field.</summary>
    /// <exception cref="ArgumentException">A field is missing or out of range.</exception>
    public void Validate() => RequestValidator.Validate(this);

    /// <inheritdoc/>
    public override string ToString() => $"RawCompletionRequest({Prompts.Count} prompt(s), model={Options?.ModelId ?? "(default)"})";
}
