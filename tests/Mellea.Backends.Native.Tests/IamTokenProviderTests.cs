using System.Net;
using System.Runtime.CompilerServices;
using Mellea.Testing;
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

    [Theory]
    [InlineData(3600, null, 55 * 60)] // the default margin of 5 minutes
    [InlineData(60, null, 48)] // a short-lived token: a fifth of its life, not 5 minutes
    [InlineData(100, null, 80)]
    [InlineData(3600, 30, 3570)] // the margin the options set
    public async Task A_token_is_reused_until_its_refresh_time_and_exchanged_again_at_it(int expiresIn, int? marginSeconds, int refreshAtSeconds)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var iam = new ScriptedIam(_ => Token($"t-{Guid.NewGuid():N}", $"\"expires_in\":{expiresIn}"));
        using var client = new HttpClient(iam);
        var provider = Provider(client, clock, marginSeconds is { } margin ? TimeSpan.FromSeconds(margin) : null);

        var first = await provider.GetTokenAsync(TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(refreshAtSeconds - 1));
        var beforeRefresh = await provider.GetTokenAsync(TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(1));
        var atRefresh = await provider.GetTokenAsync(TestContext.Current.CancellationToken);

        beforeRefresh.Should().Be(first);
        atRefresh.Should().NotBe(first);
        provider.ExchangeCount.Should().Be(2);
    }

    [Fact]
    public async Task Without_expires_in_the_absolute_expiration_sets_the_refresh_time_and_without_either_every_call_exchanges()
    {
        var start = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var expiration = start.AddMinutes(60).ToUnixTimeSeconds();
        using var dated = new HttpClient(new ScriptedIam(_ => Token($"t-{Guid.NewGuid():N}", $"\"expiration\":{expiration}")));
        using var bare = new HttpClient(new ScriptedIam(_ => Token($"t-{Guid.NewGuid():N}", "\"expires_in\":0")));
        var byDate = Provider(dated, clock);
        var neither = Provider(bare, clock);

        await byDate.GetTokenAsync(TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMinutes(55) - TimeSpan.FromSeconds(1));
        await byDate.GetTokenAsync(TestContext.Current.CancellationToken);
        var reusedUntil = byDate.ExchangeCount;
        clock.Advance(TimeSpan.FromSeconds(1));
        await byDate.GetTokenAsync(TestContext.Current.CancellationToken);
        await neither.GetTokenAsync(TestContext.Current.CancellationToken);
        await neither.GetTokenAsync(TestContext.Current.CancellationToken);

        reusedUntil.Should().Be(1);
        byDate.ExchangeCount.Should().Be(2);
        neither.ExchangeCount.Should().Be(2, "a token with no known lifetime is never trusted for a second call");
    }

    [Fact]
    public async Task A_rejected_key_is_an_auth_error_that_names_the_setting_and_the_iam_code_and_hides_the_key()
    {
        using var client = new HttpClient(new ScriptedIam(_ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent("""{"errorCode":"BXNIM0415E","errorMessage":"Provided API key wx-key could not be found.","context":{"requestId":"iam-r-1"}}"""),
        }));
        var provider = Provider(client, new FakeTimeProvider());

        var error = (await provider.Invoking(p => p.GetTokenAsync(TestContext.Current.CancellationToken).AsTask())
            .Should().ThrowAsync<GenerationException>()).Which;

        error.Category.Should().Be(ErrorCategory.Auth);
        error.Message.Should().Be(
            "The IAM token exchange at http://iam.test/identity/token returned HTTP 400: Provided API key [REDACTED] could not be found. (code=BXNIM0415E) Check the API key in WATSONX_APIKEY.");
        (error.StatusCode, error.ProviderErrorCode, error.ProviderRequestId, error.ProviderName).Should().Be((400, "BXNIM0415E", "iam-r-1", "ibm.watsonx.ai"));
    }

    [Fact]
    public async Task An_iam_outage_is_a_retryable_server_error_without_credential_advice()
    {
        using var client = new HttpClient(new ScriptedIam(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("down") }));
        var provider = Provider(client, new FakeTimeProvider());

        var error = (await provider.Invoking(p => p.GetTokenAsync(TestContext.Current.CancellationToken).AsTask())
            .Should().ThrowAsync<GenerationException>()).Which;

        error.Category.Should().Be(ErrorCategory.ServerError);
        error.IsRetryable.Should().BeTrue();
        error.Message.Should().Be("The IAM token exchange at http://iam.test/identity/token returned HTTP 503");
    }

    [Theory]
    [InlineData("abc~XYZ-._+/=", true)]
    [InlineData("abc def", false)]
    [InlineData("abc\u007f", false)]
    [InlineData("abcé", false)]
    [InlineData("eyJhbGciOi…", false)]
    public async Task Only_a_token_that_an_http_header_can_carry_is_accepted(string accessToken, bool accepted)
    {
        using var client = new HttpClient(new ScriptedIam(_ => Token(accessToken, "\"expires_in\":3600")));
        var provider = Provider(client, new FakeTimeProvider());

        var get = () => provider.GetTokenAsync(TestContext.Current.CancellationToken).AsTask();

        if (accepted)
        {
            (await get()).Should().Be(accessToken);
        }
        else
        {
            (await get.Should().ThrowAsync<GenerationException>()).Which.ErrorType.Should().Be("malformed_response");
        }
    }

    private static IamTokenProvider Provider(HttpClient client, FakeTimeProvider clock, TimeSpan? margin = null) =>
        new(() => client, new Uri("http://iam.test/identity/token"), "wx-key", "WATSONX_APIKEY", clock, margin);

    private static HttpResponseMessage Token(string accessToken, string lifetime) => new(HttpStatusCode.OK)
    {
        Content = new StringContent($$"""{"access_token":{{System.Text.Json.JsonSerializer.Serialize(accessToken)}},"token_type":"Bearer",{{lifetime}}}"""),
    };

    /// <summary>An IAM endpoint in memory that answers every exchange with what the test scripts.</summary>
    private sealed class ScriptedIam(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
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
