namespace Mellea.Pipeline;

/// <summary>The innermost step of a pipeline: calls the backend handler and puts its answer on the context.</summary>
internal sealed class HandlerTerminal
{
    private readonly IGenerationHandler _handler;

    public HandlerTerminal(IGenerationHandler handler) => _handler = handler;

    public ValueTask InvokeAsync(GenerationContext context)
    {
        context.BeginHandlerAttempt();
        return context.Operation switch
        {
            GenerationOperation.Chat => ChatAsync(context),
            GenerationOperation.StreamChat => StreamAsync(context),
            _ => RawAsync(context),
        };
    }

    private ValueTask ChatAsync(GenerationContext context)
    {
        var pending = _handler.ChatAsync(context.ChatRequest, context.CancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            context.ChatResponse = pending.Result;
            return default;
        }

        return AwaitChatAsync(pending, context);

        static async ValueTask AwaitChatAsync(ValueTask<ChatResponse> pending, GenerationContext context) =>
            context.ChatResponse = await pending.ConfigureAwait(false);
    }

    private ValueTask RawAsync(GenerationContext context)
    {
        var pending = _handler.CompleteRawAsync(context.RawRequest, context.CancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            context.RawResponse = pending.Result;
            return default;
        }

        return AwaitRawAsync(pending, context);

        static async ValueTask AwaitRawAsync(ValueTask<RawCompletionResponse> pending, GenerationContext context) =>
            context.RawResponse = await pending.ConfigureAwait(false);
    }

    private async ValueTask StreamAsync(GenerationContext context)
    {
        // The backend's enumerator is disposed by await foreach on every path, including an abandoned stream,
        // whose GenerationStreamAbandonedException comes out of WriteAsync below.
        await foreach (var update in _handler.StreamChatAsync(context.ChatRequest, context.CancellationToken).ConfigureAwait(false))
        {
            await context.Updates.WriteAsync(update).ConfigureAwait(false);
        }
    }
}
