namespace Mellea;

/// <summary>
/// An ambient conversation: every generation span started inside it carries <c>gen_ai.conversation.id</c>, unless the
/// request names its own <see cref="GenerationOptions.ConversationId"/>. Dispose it to end the scope.
/// </summary>
/// <remarks>
/// The id flows with the asynchronous call, like <see cref="System.Diagnostics.Activity.Current"/>: concurrent
/// conversations never see each other's id. Mellea never invents one.
/// </remarks>
public sealed class ConversationScope : IDisposable
{
    // Flow-local, not process-global: each async flow sees only the scope it entered.
    private static readonly AsyncLocal<ConversationScope?> CurrentScope = new();

    private readonly ConversationScope? _previous;
    private bool _disposed;

    private ConversationScope(string conversationId)
    {
        ConversationId = conversationId;
        _previous = CurrentScope.Value;
        CurrentScope.Value = this;
    }

    /// <summary>The conversation id of the innermost scope in this async flow, or null.</summary>
    public static string? CurrentConversationId => CurrentScope.Value?.ConversationId;

    /// <summary>The id.</summary>
    public string ConversationId { get; }

    /// <summary>Starts a scope.</summary>
    /// <param name="conversationId">The caller's conversation id.</param>
    public static ConversationScope Begin(string conversationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        return new ConversationScope(conversationId);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (CurrentScope.Value == this)
        {
            CurrentScope.Value = _previous;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"conversation {ConversationId}";
}
