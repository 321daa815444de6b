namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// The system clock with timers that fire <see cref="Factor"/> times sooner: a retry that honours <c>Retry-After: 1</c> waits
/// 1 s of this clock's time and 1/Factor s of real time, so the suite never sleeps for a provider's back-off. It also counts the
/// timers still armed, so a test can prove that no timeout or back-off is left running after a call.
/// </summary>
internal sealed class AcceleratedTimeProvider(int factor) : TimeProvider
{
    private int _armed;

    public int Factor { get; } = factor;

    /// <summary>Timers created here that are due to fire and have not fired, been disarmed, or been disposed.</summary>
    public int ArmedTimers => Volatile.Read(ref _armed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ScaledTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private TimeSpan Scale(TimeSpan value) => value == Timeout.InfiniteTimeSpan || value <= TimeSpan.Zero ? value : value / Factor;

    private sealed class ScaledTimer : ITimer
    {
        private readonly AcceleratedTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _inner;
        private readonly Lock _gate = new();
        private bool _armed;
        private bool _periodic;
        private bool _disposed;

        public ScaledTimer(AcceleratedTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            _inner = System.CreateTimer(static self => ((ScaledTimer)self!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                SetArmed(dueTime != Timeout.InfiniteTimeSpan);
                _periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
            }

            return _inner.Change(_owner.Scale(dueTime), _owner.Scale(period));
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                SetArmed(false);
            }

            _inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }

        private void Fire()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_periodic)
                {
                    SetArmed(false);
                }
            }

            _callback(_state);
        }

        private void SetArmed(bool armed)
        {
            if (armed != _armed)
            {
                _armed = armed;
                Interlocked.Add(ref _owner._armed, armed ? 1 : -1);
            }
        }
    }
}
