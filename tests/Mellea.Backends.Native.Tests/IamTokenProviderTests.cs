using System.Runtime.CompilerServices;
using Mellea.Backends.Watsonx;

namespace Mellea.Backends.Native.Tests;

public sealed class IamTokenProviderTests
{
    [Fact]
    public async Task An_exchange_that_fails_after_every_caller_gave_up_is_not_an_unobserved_task_exception()
    {
        // The event is process-wide: only an exception that carries this test's own marker counts.
        var marker = "iam-exchange-" + Guid.NewGuid().ToString("N");
        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.ToString().Contains(marker, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref unobserved);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            // On a thread of its own, so that no frame or async box of this test still holds the exchange afterwards.
            WeakReference? gone = null;
            var abandon = new Thread(() => gone = AbandonAFailingExchangeAsync(marker).GetAwaiter().GetResult());
            abandon.Start();
            abandon.Join();

            // The exchange is unreachable now; a failure nobody observed is reported when its task is finalized.
            for (var i = 0; i < 2; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            gone!.IsAlive.Should().BeFalse("the abandoned exchange was collected, so an unobserved failure would have been reported");
            Volatile.Read(ref unobserved).Should().Be(0, "the provider observes a shared exchange's failure itself");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    // Out of line, so that nothing of the provider or its exchange stays reachable from the test's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> AbandonAFailingExchangeAsync(string marker)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new HttpClient(new FailingAfterGate(release.Task, marker));
        var provider = new IamTokenProvider(() => client, new Uri("http://127.0.0.1:9/identity/token"), "wx-key", "WATSONX_APIKEY", TimeProvider.System, margin: null);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var waiting = provider.GetTokenAsync(giveUp.Token).AsTask();
        await giveUp.CancelAsync();
        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>("the only caller stopped waiting");

        release.SetResult();
        var exchange = provider.LastExchange!;

        // Waits for the exchange to end without observing its exception (a continuation does not).
        await exchange.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .WaitAsync(TestContext.Current.CancellationToken);
        exchange.IsFaulted.Should().BeTrue();
        return new WeakReference(exchange);
    }

    private sealed class FailingAfterGate(Task gate, string marker) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await gate.ConfigureAwait(false);
            throw new InvalidOperationException(marker);
        }
    }
}
