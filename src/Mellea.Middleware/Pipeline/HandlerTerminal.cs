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
        // The backend's enumerator is disposed on every path, including an abandoned stream, whose
        // GenerationStreamAbandonedException comes out of WriteAsync below.
        var updates = _handler.StreamChatAsync(context.ChatRequest, context.CancellationToken).GetAsyncEnumerator(context.CancellationToken);
        try
        {
            // The first update is read here, in the pipeline's flow, so the request goes out under the generation span.
            if (!await updates.MoveNextAsync().ConfigureAwait(false))
            {
                return;
            }

            var sinks = context.Updates;
            if (PipelineStream.PullTarget(sinks) is { } stream)
            {
                // Every sink passes through: the caller pulls the rest itself (PipelineStream.ArmPull), and this write's gate
                // opens when the backend's stream has ended, or fails with what went wrong.
                stream.ArmPull(updates);
                await sinks.WriteAsync(updates.Current).ConfigureAwait(false);
                return;
            }

            do
            {
                await sinks.WriteAsync(updates.Current).ConfigureAwait(false);
            }
            while (await updates.MoveNextAsync().ConfigureAwait(false));
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }
}
