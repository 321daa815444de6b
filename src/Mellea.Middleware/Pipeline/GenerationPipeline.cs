using System.Runtime.CompilerServices;

using Mellea.Pipeline;

namespace Mellea;

/// <summary>
/// A backend handler wrapped in middlewares. It is itself an <see cref="IGenerationHandler"/>, so it can be used
/// anywhere a handler can, including as the backend of another pipeline.
/// </summary>
/// <remarks>
/// Thread-safe: one pipeline serves concurrent calls. Every call validates its request before any middleware runs.
/// A call that completes synchronously (a cache hit, a canned answer) allocates nothing in the pipeline itself.
/// </remarks>
public sealed class GenerationPipeline : IGenerationHandler
{
    private readonly ContextPool _pool;

    internal GenerationPipeline(IGenerationHandler handler, IReadOnlyList<IGenerationMiddleware> middlewares, TimeProvider timeProvider)
    {
        InnerHandler = handler;
        Middlewares = middlewares;
        TimeProvider = timeProvider;
        _pool = new ContextPool(handler.Info, timeProvider);

        // Compose from the innermost outwards, so that the first middleware added is the outermost.
        GenerationDelegate next = new HandlerTerminal(handler).InvokeAsync;
        for (var i = middlewares.Count - 1; i >= 0; i--)
        {
            var middleware = middlewares[i];
            var inner = next;
            next = context => middleware.InvokeAsync(context, inner);
        }

        Entry = next;
    }

    /// <inheritdoc/>
    public GenerationHandlerInfo Info => InnerHandler.Info;

    /// <summary>The backend handler at the centre of the pipeline.</summary>
    public IGenerationHandler InnerHandler { get; }

    /// <summary>The middlewares, outermost first.</summary>
    public IReadOnlyList<IGenerationMiddleware> Middlewares { get; }

    /// <summary>The clock every call's measurement uses.</summary>
    public TimeProvider TimeProvider { get; }

    internal GenerationDelegate Entry { get; }

    /// <inheritdoc/>
    public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var context = RentContext(GenerationOperation.Chat, request, null, cancellationToken);
        ValueTask pending;
        try
        {
            pending = Entry(context);
        }
        catch
        {
            ReturnContext(context);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return new ValueTask<ChatResponse>(TakeChatResponse(context));
        }

        return AwaitChatAsync(pending, context);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        return new PipelineStream(this, request, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var context = RentContext(GenerationOperation.RawCompletion, null, request, cancellationToken);
        ValueTask pending;
        try
        {
            pending = Entry(context);
        }
        catch
        {
            ReturnContext(context);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return new ValueTask<RawCompletionResponse>(TakeRawResponse(context));
        }

        return AwaitRawAsync(pending, context);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"GenerationPipeline([{string.Join(" > ", Middlewares.Select(m => m.GetType().Name))}] > {InnerHandler.GetType().Name})";

    internal GenerationContext RentContext(GenerationOperation operation, ChatRequest? chat, RawCompletionRequest? raw, CancellationToken cancellationToken)
    {
        var context = _pool.Rent();
        context.Initialize(operation, chat, raw, cancellationToken);
        return context;
    }

    internal void ReturnContext(GenerationContext context) => _pool.Return(context);

    private async ValueTask<ChatResponse> AwaitChatAsync(ValueTask pending, GenerationContext context)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch
        {
            ReturnContext(context);
            throw;
        }

        return TakeChatResponse(context);
    }

    private async ValueTask<RawCompletionResponse> AwaitRawAsync(ValueTask pending, GenerationContext context)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch
        {
            ReturnContext(context);
            throw;
        }

        return TakeRawResponse(context);
    }

    private ChatResponse TakeChatResponse(GenerationContext context)
    {
        var response = context.ChatResponse;
        ReturnContext(context);
        return response ?? throw NoAnswer("ChatResponse");
    }

    private RawCompletionResponse TakeRawResponse(GenerationContext context)
    {
        var response = context.RawResponse;
        ReturnContext(context);
        return response ?? throw NoAnswer("RawResponse");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException NoAnswer(string property) =>
        new($"The pipeline completed without an answer: a middleware returned without calling next and without setting GenerationContext.{property}.");
}
