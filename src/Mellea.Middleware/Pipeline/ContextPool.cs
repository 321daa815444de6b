namespace Mellea.Pipeline;

/// <summary>
/// A small per-pipeline pool of <see cref="GenerationContext"/> objects, so that a call through the pipeline allocates
/// nothing for its context. Lock-free: a fixed array of slots, each taken and returned with one interlocked exchange.
/// </summary>
internal sealed class ContextPool
{
    private readonly GenerationContext?[] _slots;
    private readonly GenerationHandlerInfo _handler;
    private readonly TimeProvider _timeProvider;

    public ContextPool(GenerationHandlerInfo handler, TimeProvider timeProvider)
    {
        _handler = handler;
        _timeProvider = timeProvider;
        _slots = new GenerationContext?[Math.Max(4, Environment.ProcessorCount * 4)];
    }

    public GenerationContext Rent()
    {
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var item = slots[i];
            if (item is not null && Interlocked.CompareExchange(ref slots[i], null, item) == item)
            {
                return item;
            }
        }

        return new GenerationContext(_handler, _timeProvider);
    }

    public void Return(GenerationContext context)
    {
        context.Reset();
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] is null && Interlocked.CompareExchange(ref slots[i], context, null) is null)
            {
                return;
            }
        }

        // The pool is full: let the GC have it.
    }
}
