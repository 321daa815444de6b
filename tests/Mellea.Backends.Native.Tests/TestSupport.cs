using System.Net;
using System.Net.Sockets;
using Mellea.Backends.Http;

namespace Mellea.Backends.Native.Tests;

/// <summary>Helpers shared by the backend tests: environments from dictionaries (never the process environment), stream collection.</summary>
internal static class TestSupport
{
    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static Func<string, string?> Environment(params (string Name, string? Value)[] variables) =>
        ProviderEnvironment.FromDictionary(variables.ToDictionary(v => v.Name, v => v.Value));

    public static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream.WithCancellation(Token))
        {
            updates.Add(update);
        }

        return updates;
    }

    public static string Text(IEnumerable<ChatResponseUpdate> updates, int choice = 0) =>
        string.Concat(updates.Where(u => u.ChoiceIndex == choice && u.Metadata is null).Select(u => u.TextDelta));

    public static string Reasoning(IEnumerable<ChatResponseUpdate> updates, int choice = 0) =>
        string.Concat(updates.Where(u => u.ChoiceIndex == choice && u.Metadata is null).Select(u => u.ReasoningDelta));

    public static GenerationMetadata Final(IEnumerable<ChatResponseUpdate> updates) => updates.Last().Metadata ?? throw new InvalidOperationException("The stream had no final update.");

    /// <summary>Assembles streamed tool-call fragments by index, as a consumer would.</summary>
    public static List<(string? Id, string? Name, string Arguments)> ToolCalls(IEnumerable<ChatResponseUpdate> updates, int choice = 0)
    {
        var calls = new SortedDictionary<int, (string? Id, string? Name, string Arguments)>();
        foreach (var delta in updates.Where(u => u.ChoiceIndex == choice && u.ToolCallDeltas is not null).SelectMany(u => u.ToolCallDeltas!))
        {
            calls.TryGetValue(delta.Index, out var call);
            calls[delta.Index] = (call.Id ?? delta.CallId, call.Name ?? delta.Name, (call.Arguments ?? string.Empty) + delta.ArgumentsDelta);
        }

        return [.. calls.Values];
    }

    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    public static int ClosedPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>Counts requests in flight through it (and cancellations), on the way to the emulator.</summary>
    public sealed class ConcurrencyProbe : DelegatingHandler
    {
        private int _inFlight;
        private int _max;
        private int _cancelled;

        public ConcurrencyProbe()
            : base(new SocketsHttpHandler())
        {
        }

        public int MaxInFlight => Volatile.Read(ref _max);

        public int Cancelled => Volatile.Read(ref _cancelled);

        /// <summary>When set, each request waits here until released (to prove requests overlap).</summary>
        public TaskCompletionSource? Gate { get; set; }

        /// <summary>Completed once <see cref="GateOpensAt"/> requests are in flight at the same time.</summary>
        public int GateOpensAt { get; set; } = int.MaxValue;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            try
            {
                if (Gate is { } gate)
                {
                    if (now >= GateOpensAt)
                    {
                        gate.TrySetResult();
                    }

                    await gate.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
                }

                return await base.SendAsync(request, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
