namespace Mellea.Testing;

/// <summary>A tool call a scripted choice makes. Streams send the arguments in <see cref="ArgumentChunks"/>, one fragment per chunk.</summary>
public sealed class ScriptedToolCall
{
    /// <summary>Creates a tool call.</summary>
    /// <param name="id">The call id.</param>
    /// <param name="name">The tool's name.</param>
    /// <param name="argumentChunks">The arguments JSON text, in the fragments a stream sends; concatenated they must be the whole JSON.</param>
    public ScriptedToolCall(string id, string name, params string[] argumentChunks)
    {
        Id = id ?? throw new ArgumentNullException(nameof(id));
        Name = name ?? throw new ArgumentNullException(nameof(name));
        ArgumentNullException.ThrowIfNull(argumentChunks);
        ArgumentChunks = argumentChunks.Length == 0 ? ["{}"] : argumentChunks;
    }

    /// <summary>The call id.</summary>
    public string Id { get; }

    /// <summary>The tool's name.</summary>
    public string Name { get; }

    /// <summary>The argument fragments.</summary>
    public IReadOnlyList<string> ArgumentChunks { get; }

    /// <summary>The whole arguments JSON text.</summary>
    public string Arguments => string.Concat(ArgumentChunks);

    /// <inheritdoc/>
    public override string ToString() => $"tool call {Name} ({Id})";
}
