namespace Mellea;

/// <summary>A chat request: the conversation so far and the options for the next answer.</summary>
/// <remarks>Middlewares that change a request build a new one with <see cref="WithOptions"/> or <see cref="WithMessages"/>; the caller's instance is never changed.</remarks>
public sealed class ChatRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="messages">The conversation, oldest first. The list is copied.</param>
    /// <param name="options">The options, or <see langword="null"/> for the pipeline's defaults.</param>
    public ChatRequest(IEnumerable<ChatMessage> messages, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = messages as ChatMessage[] is { } array ? (ChatMessage[])array.Clone() : [.. messages];
        Options = options;
    }

    /// <summary>Creates a request with one user message.</summary>
    /// <param name="userText">The user's text.</param>
    /// <param name="options">The options.</param>
    public ChatRequest(string userText, GenerationOptions? options = null)
        : this([ChatMessage.User(userText ?? throw new ArgumentNullException(nameof(userText)))], options)
    {
    }

    /// <summary>The conversation, oldest first.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>The options.</summary>
    public GenerationOptions? Options { get; }

    /// <summary>Returns a request with the same messages and other options.</summary>
    /// <param name="options">The new options.</param>
    public ChatRequest WithOptions(GenerationOptions? options) => new(Messages, options);

    /// <summary>Returns a request with the same options and other messages.</summary>
    /// <param name="messages">The new messages.</param>
    public ChatRequest WithMessages(IEnumerable<ChatMessage> messages) => new(messages, Options);

    /// <summary>
    /// Checks the request and throws an <see cref="ArgumentException"/> that names the first bad field.
    /// Every handler and the pipeline call this before any I/O.
    /// </summary>
    /// <exception cref="ArgumentException">A field is missing or out of range; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public void Validate() => RequestValidator.Validate(this);

    /// <inheritdoc/>
    public override string ToString() => $"ChatRequest({Messages.Count} message(s), model={Options?.ModelId ?? "(default)"})";
}
