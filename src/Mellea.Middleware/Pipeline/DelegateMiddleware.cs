namespace Mellea.Pipeline;

/// <summary>Adapts a lambda to <see cref="IGenerationMiddleware"/>.</summary>
internal sealed class DelegateMiddleware : IGenerationMiddleware
{
    private readonly Func<GenerationContext, GenerationDelegate, ValueTask> _invoke;

    public DelegateMiddleware(Func<GenerationContext, GenerationDelegate, ValueTask> invoke) => _invoke = invoke;

    public ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next) => _invoke(context, next);

    public override string ToString() => $"lambda middleware ({_invoke.Method.Name})";
}
