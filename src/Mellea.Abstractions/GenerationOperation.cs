namespace Mellea;

/// <summary>The three operations of <see cref="IGenerationHandler"/>, as a middleware sees them.</summary>
public enum GenerationOperation
{
    /// <summary><see cref="IGenerationHandler.ChatAsync"/>: the OTel operation <c>chat</c>.</summary>
    Chat,

    /// <summary><see cref="IGenerationHandler.StreamChatAsync"/>: the OTel operation <c>chat</c>, streamed.</summary>
    StreamChat,

    /// <summary><see cref="IGenerationHandler.CompleteRawAsync"/>: the OTel operation <c>text_completion</c>.</summary>
    RawCompletion,
}

/// <summary>Names of <see cref="GenerationOperation"/>.</summary>
public static class GenerationOperationExtensions
{
    /// <summary>The OTel <c>gen_ai.operation.name</c> value: <c>chat</c> or <c>text_completion</c>.</summary>
    /// <param name="operation">The operation.</param>
    public static string ToOperationName(this GenerationOperation operation) =>
        operation == GenerationOperation.RawCompletion ? "text_completion" : "chat";
}
