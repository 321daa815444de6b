namespace Mellea.Reliability.Tests.Support;

/// <summary>Sits in front of the socket handler and signals when a request has been sent and when a response has come back.</summary>
internal sealed class SendSignal() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first request is on its way.</summary>
    public Task Sent => _sent.Task;

    /// <summary>Completes when the first response's headers have arrived.</summary>
    public Task Answered => _answered.Task;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sending = base.SendAsync(request, cancellationToken);
        _sent.TrySetResult();
        var response = await sending;
        _answered.TrySetResult();
        return response;
    }
}
