namespace Mellea.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when <see cref="Advance"/> is called. Timers and delays created
/// through it (Polly's back-offs, <c>Task.Delay(…, timeProvider)</c>) fire when the clock passes their due time, so tests
/// never sleep.
/// </summary>
/// <remarks>Thread-safe. Timer callbacks run on the thread that calls <see cref="Advance"/>, after the clock has moved.</remarks>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now;
    private long _timestamp;

    /// <summary>Creates a clock at 2026-01-01T00:00:00Z.</summary>
    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Creates a clock at <paramref name="start"/>.</summary>
    /// <param name="start">The starting time.</param>
    public FakeTimeProvider(DateTimeOffset start) => _now = start;

    /// <summary>Raised after each <see cref="CreateTimer"/>, so a test can wait until the code under test has scheduled a delay.</summary>
    public event EventHandler? TimerCreated;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>How many timers are waiting to fire.</summary>
    public int PendingTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _timestamp;
        }
    }

    /// <summary>Moves the clock forward and fires every timer that falls due, in due order.</summary>
    /// <param name="delta">How far to move; not negative.</param>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target;
        lock (_gate)
        {
            target = _timestamp + delta.Ticks;
        }

        while (true)
        {
            FakeTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.DueAt is { } at && at <= target).MinBy(t => t.DueAt);
                if (due is null)
                {
                    _now += TimeSpan.FromTicks(target - _timestamp);
                    _timestamp = target;
                    return;
                }

                var at = due.DueAt!.Value;
                _now += TimeSpan.FromTicks(at - _timestamp);
                _timestamp = at;
                due.DueAt = due.Period > TimeSpan.Zero ? at + due.Period.Ticks : null;
            }

            due.Fire();
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        // A timer that is already due fires now, as a real timer would fire at once.
        Advance(TimeSpan.Zero);
        TimerCreated?.Invoke(this, EventArgs.Empty);
        return timer;
    }

    private sealed class FakeTimer : ITimer
    {
        private readonly FakeTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public long? DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => _callback(_state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._gate)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _owner._timestamp + Math.Max(0, dueTime.Ticks);
            }

            return true;
        }

        public void Dispose()
        {
            lock (_owner._gate)
            {
                DueAt = null;
                _owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
