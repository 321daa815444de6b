using System.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mellea;

/// <summary>
/// The tracer and meter providers that <see cref="MelleaOpenTelemetry"/> built. Keep it for the life of the application
/// and dispose it at shutdown: disposing flushes what is buffered and shuts the exporters down within
/// <see cref="MelleaTelemetrySettings.ShutdownTimeout"/>, so a short-lived process loses nothing and a dead collector
/// cannot hang the exit.
/// </summary>
/// <remarks>Disposal is thread-safe and idempotent, and never throws.</remarks>
public sealed class MelleaTelemetryProviders : IDisposable, IAsyncDisposable
{
    private readonly TimeSpan _shutdownTimeout;
    private Task? _shutdown;

    internal MelleaTelemetryProviders(MelleaTelemetrySettings settings, TracerProvider? tracerProvider, MeterProvider? meterProvider)
    {
        Settings = settings;
        TracerProvider = tracerProvider;
        MeterProvider = meterProvider;
        _shutdownTimeout = settings.ShutdownTimeout;
    }

    /// <summary>The settings the providers were built from, with the warnings found while reading them.</summary>
    public MelleaTelemetrySettings Settings { get; }

    /// <summary>The tracer provider, or null when tracing is off or has no exporter.</summary>
    public TracerProvider? TracerProvider { get; }

    /// <summary>The meter provider, or null when metrics are off or have no exporter.</summary>
    public MeterProvider? MeterProvider { get; }

    /// <summary>Exports what is buffered now, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The longest wait.</param>
    /// <returns>Whether everything was exported in time.</returns>
    public bool ForceFlush(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var deadline = Stopwatch.StartNew();
        var flushed = true;
        try
        {
            if (TracerProvider is not null)
            {
                flushed &= TracerProvider.ForceFlush(Remaining(timeout, deadline));
            }

            if (MeterProvider is not null)
            {
                flushed &= MeterProvider.ForceFlush(Remaining(timeout, deadline));
            }
        }
        catch (Exception)
        {
            return false;
        }

        return flushed;
    }

    /// <summary>Flushes and shuts the providers down, waiting at most <see cref="MelleaTelemetrySettings.ShutdownTimeout"/>.</summary>
    public void Dispose()
    {
        try
        {
            StartShutdown().Wait(_shutdownTimeout);
        }
        catch (Exception)
        {
            // Shutdown failures are the exporter's problem; disposing must not fail the application's exit.
        }
    }

    /// <summary>Flushes and shuts the providers down, waiting at most <see cref="MelleaTelemetrySettings.ShutdownTimeout"/>.</summary>
    /// <returns>A task that completes when the providers are shut down or the timeout has passed.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StartShutdown().WaitAsync(_shutdownTimeout).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // As in Dispose: a timeout or an exporter failure ends the wait, never the application.
        }
    }

    private Task StartShutdown()
    {
        if (TracerProvider is null && MeterProvider is null)
        {
            return Task.CompletedTask;
        }

        var shutdown = new Task(ShutDownProviders, TaskCreationOptions.LongRunning);
        if (Interlocked.CompareExchange(ref _shutdown, shutdown, null) is { } existing)
        {
            return existing;
        }

        // The shutdown runs on its own thread so that the caller's wait is bounded even if an exporter ignores its timeout.
        shutdown.Start(TaskScheduler.Default);
        return shutdown;
    }

    private void ShutDownProviders()
    {
        var deadline = Stopwatch.StartNew();
        try
        {
            // Spans are flushed first so that a slow metric export cannot starve them. Metrics are not flushed here:
            // their shutdown collects and exports once more, and a flush before it would export every metric twice.
            TracerProvider?.ForceFlush(Remaining(_shutdownTimeout, deadline));
            TracerProvider?.Shutdown(Remaining(_shutdownTimeout, deadline));
            MeterProvider?.Shutdown(Remaining(_shutdownTimeout, deadline));
        }
        catch (Exception)
        {
            // Fall through to dispose whatever was built.
        }
        finally
        {
            // Nothing may escape this task: a caller whose wait timed out no longer observes it, and a fault would surface
            // later as an unobserved task exception.
            DisposeQuietly(TracerProvider);
            DisposeQuietly(MeterProvider);
        }
    }

    private static void DisposeQuietly(IDisposable? provider)
    {
        try
        {
            provider?.Dispose();
        }
        catch (Exception)
        {
            // The SDK already reports exporter failures on its own event source.
        }
    }

    private static int Remaining(TimeSpan total, Stopwatch elapsed) =>
        (int)Math.Clamp((total - elapsed.Elapsed).TotalMilliseconds, 0, int.MaxValue);

    /// <inheritdoc/>
    public override string ToString() => $"MelleaTelemetryProviders({Settings})";
}
