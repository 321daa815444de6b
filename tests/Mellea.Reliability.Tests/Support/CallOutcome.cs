namespace Mellea.Reliability.Tests.Support;

/// <summary>What one call ended with.</summary>
internal sealed class CallOutcome
{
    private CallOutcome(string text, IReadOnlyList<string> texts, bool finished, Exception? error)
    {
        Text = text;
        Texts = texts;
        Finished = finished;
        Error = error;
    }

    /// <summary>All text received (for a failed stream: what arrived before the failure).</summary>
    public string Text { get; }

    /// <summary>One text per choice or completion.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Whether every choice reported a finish reason.</summary>
    public bool Finished { get; }

    public Exception? Error { get; }

    public bool Success => Error is null;

    /// <summary>The category of a typed failure, or null.</summary>
    public ErrorCategory? Category => (Error as GenerationException)?.Category;

    public static CallOutcome Succeeded(string text, IReadOnlyList<string> texts, bool finished) => new(text, texts, finished, null);

    public static CallOutcome Failed(Exception error, string received) => new(received, [received], false, error);

    public override string ToString() => Error is null ? $"ok \"{(Text.Length > 40 ? Text[..40] + "…" : Text)}\" ({Text.Length} chars)" : $"{Error.GetType().Name} {Category}: {Error.Message}";
}
