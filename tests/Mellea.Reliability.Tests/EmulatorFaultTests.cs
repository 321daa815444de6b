using System.Text;
using Mellea.Testing;

namespace Mellea.Reliability.Tests;

/// <summary>The emulator's own fault kinds added for issue 9, proven on the wire with a plain HttpClient.</summary>
public sealed class EmulatorFaultTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reset_before_headers_gives_the_client_no_status_line_at_all()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.ResetBeforeHeaders()));
        using var client = new HttpClient();

        var send = () => client.PostAsync(new Uri(emulator.OpenAIBaseUrl + "/chat/completions"), Json("{\"model\":\"m\",\"messages\":[]}"), Token);

        await send.Should().ThrowAsync<HttpRequestException>();
        emulator.Requests.Should().ContainSingle("the request was read before the reset");
    }

    [Fact]
    public async Task A_truncated_stream_ends_cleanly_after_the_named_chunks_without_its_done_marker()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.Truncated(afterChunks: 2)));
        using var client = new HttpClient();

        using var response = await client.PostAsync(new Uri(emulator.OpenAIBaseUrl + "/chat/completions"), Json("{\"model\":\"m\",\"stream\":true,\"messages\":[]}"), Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        response.IsSuccessStatusCode.Should().BeTrue();
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2, "two events, then a clean end");
        body.Should().NotContain("[DONE]");
    }

    [Fact]
    public async Task A_truncated_body_ends_cleanly_half_way_with_a_matching_content_length()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("hello there").WithFault(EmulatorFault.Truncated()));
        using var client = new HttpClient();

        using var response = await client.PostAsync(new Uri(emulator.OpenAIBaseUrl + "/chat/completions"), Json("{\"model\":\"m\",\"messages\":[]}"), Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        response.Content.Headers.ContentLength.Should().Be(Encoding.UTF8.GetByteCount(body), "the connection ends cleanly; only the JSON is cut");
        body.Should().StartWith("{").And.NotEndWith("}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_empty_body_is_a_200_with_no_bytes_streamed_or_not(bool stream)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.EmptyBody()));
        using var client = new HttpClient();

        using var response = await client.PostAsync(new Uri(emulator.OpenAIBaseUrl + "/chat/completions"), Json($"{{\"model\":\"m\",\"stream\":{(stream ? "true" : "false")},\"messages\":[]}}"), Token);

        ((int)response.StatusCode).Should().Be(200);
        (await response.Content.ReadAsByteArrayAsync(Token)).Should().BeEmpty();
    }

    [Fact]
    public async Task Active_requests_and_open_connections_drop_to_zero_when_the_client_goes_away()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("late").WithFirstByteDelay(TimeSpan.FromMinutes(5)));
        var client = new HttpClient();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var pending = client.PostAsync(new Uri(emulator.OpenAIBaseUrl + "/chat/completions"), Json("{\"model\":\"m\",\"messages\":[]}"), cancel.Token);
        while (emulator.ActiveRequests == 0)
        {
            await Task.Yield();
            Token.ThrowIfCancellationRequested();
        }

        emulator.OpenConnections.Should().Be(1);
        await cancel.CancelAsync();
        await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
        client.Dispose();

        await emulator.WhenNoActiveRequestsAsync().WaitAsync(TimeSpan.FromSeconds(10), Token);
        await emulator.WhenNoOpenConnectionsAsync().WaitAsync(TimeSpan.FromSeconds(10), Token);
        emulator.ActiveRequests.Should().Be(0);
        emulator.OpenConnections.Should().Be(0);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
