namespace Mellea.Testing;

/// <summary>A count that can be awaited to reach zero.</summary>
internal sealed class AwaitableCounter
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource? _zero;

    public int Count => Volatile.Read(ref _count);

    public void Increment()
    {
        lock (_gate)
        {
            _count++;
        }
    }

    public void Decrement()
    {
        TaskCompletionSource? reached = null;
        lock (_gate)
        {
            if (--_count == 0)
            {
                reached = _zero;
                _zero = null;
            }
        }

        reached?.TrySetResult();
    }

    public Task WhenZero()
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return Task.CompletedTask;
            }

            _zero ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _zero.Task;
        }
    }
}
