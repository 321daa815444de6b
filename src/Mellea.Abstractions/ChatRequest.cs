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

    /// <summary>The template the prompt was made from, if any; telemetry records its name and version.</summary>
    public PromptTemplate? PromptTemplate { get; init; }

    /// <summary>Creates a request whose last message is <paramref name="template"/> rendered as a user message, with the template attached.</summary>
    /// <param name="template">The template.</param>
    /// <param name="options">The options.</param>
    /// <param name="history">Messages that come before it (a system prompt, earlier turns).</param>
    /// <exception cref="FormatException">The template cannot be rendered; the message names the variable or placeholder.</exception>
    public static ChatRequest FromTemplate(PromptTemplate template, GenerationOptions? options = null, IEnumerable<ChatMessage>? history = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new ChatRequest([.. history ?? [], template.RenderUserMessage()], options) { PromptTemplate = template };
    }

    /// <summary>Returns a request with the same messages and template and other options.</summary>
    /// <param name="options">The new options.</param>
    public ChatRequest WithOptions(GenerationOptions? options) => new(Messages, options) { PromptTemplate = PromptTemplate };

    /// <summary>Returns a request with the same options and template and other messages.</summary>
    /// <param name="messages">The new messages.</param>
    public ChatRequest WithMessages(IEnumerable<ChatMessage> messages) => new(messages, Options) { PromptTemplate = PromptTemplate };

    /// <summary>
    /// Checks the request and throws an <see cref="ArgumentException"/> that names the first bad field.
    /// Every handler and the pipeline call this before any I/O.
    /// </summary>
    /// <exception cref="ArgumentException">A field is missing or out of range; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public void Validate() => RequestValidator.Validate(this);

    /// <inheritdoc/>
    public override string ToString() => $"ChatRequest({Messages.Count} message(s), model={Options?.ModelId ?? "(default)"})";
}
