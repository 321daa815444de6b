using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mellea.Testing;

/// <summary>
/// A loopback HTTP server (Kestrel on 127.0.0.1, a free port) that speaks LLM providers' wire formats and answers from
/// <see cref="EmulatorScript"/>s, so apps and backends are tested offline through their real HTTP code.
/// </summary>
/// <remarks>
/// <para>Scripts are answered in the order they were <see cref="Enqueue"/>d; when the queue is empty, <see cref="DefaultScript"/>
/// answers (or, with none, a 500 that says no script was queued). <see cref="ScriptFor"/>, when set, answers from the request
/// itself first (a refused credential, a model that is down), whatever order concurrent requests arrive in. Every request is recorded in <see cref="Requests"/>, so tests
/// assert on the wire request. One emulator per test keeps tests parallel-safe.</para>
/// <code>
/// await using var emulator = await ProviderEmulator.StartAsync();
/// emulator.Enqueue(EmulatorScript.Text("Hel", "lo").WithUsage(5, 2));
/// var backend = new OpenAIBackend(new HttpClient(), new OpenAIBackendOptions { BaseUrl = emulator.OpenAIBaseUrl, ApiKey = "sk-test" });
/// </code>
/// </remarks>
public sealed class ProviderEmulator : IAsyncDisposable
{
    private static readonly TimeSpan DrainBeforeAbort = TimeSpan.FromMilliseconds(30);
    private readonly WebApplication _app;
    private readonly IReadOnlyList<EmulatorWireFormat> _formats;
    private readonly ConcurrentQueue<EmulatorScript> _scripts = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly AwaitableCounter _activeRequests = new();
    private readonly AwaitableCounter _openConnections = new();

    private ProviderEmulator(WebApplication app, IReadOnlyList<EmulatorWireFormat> formats, Uri baseAddress)
    {
        _app = app;
        _formats = formats;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's address, for example <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The OpenAI-style base URL (<c>…/v1</c>) to configure a backend with.</summary>
    public string OpenAIBaseUrl => new Uri(BaseAddress, "v1").AbsoluteUri;

    /// <summary>The script that answers when the queue is empty.</summary>
    public EmulatorScript? DefaultScript { get; set; }

    /// <summary>
    /// Chooses a script from the request itself (its headers, path or body) before the queue is asked; null leaves the request to
    /// the queue and <see cref="DefaultScript"/>. It runs on the server's threads, one call per request, concurrently.
    /// </summary>
    public Func<RecordedRequest, EmulatorScript?>? ScriptFor { get; set; }

    /// <summary>
    /// Whether received requests are kept for <see cref="Requests"/> and <see cref="LastRequest"/> (the default). A long-running
    /// load, such as a benchmark's hundreds of thousands of calls, turns it off so that the history does not grow without bound;
    /// <see cref="ScriptFor"/> still sees every request.
    /// </summary>
    public bool KeepsRequests { get; set; } = true;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>
    /// Requests whose handler is still running: received and not yet answered in full, or still waiting on a delay. A client that
    /// disposes its response or cancels aborts the request, and the count drops when the emulator has noticed.
    /// </summary>
    public int ActiveRequests => _activeRequests.Count;

    /// <summary>TCP connections the emulator holds open (a client's pooled keep-alive connections count until the client closes them).</summary>
    public int OpenConnections => _openConnections.Count;

    /// <summary>Completes when no request handler is running (at once when none is).</summary>
    /// <returns>A task that completes when <see cref="ActiveRequests"/> is zero.</returns>
    public Task WhenNoActiveRequestsAsync() => _activeRequests.WhenZero();

    /// <summary>Completes when no connection is open (at once when none is): the client has closed, or the server aborted, every one.</summary>
    /// <returns>A task that completes when <see cref="OpenConnections"/> is zero.</returns>
    public Task WhenNoOpenConnectionsAsync() => _openConnections.WhenZero();

    /// <summary>Forgets the requests recorded so far, so a long soak does not count the emulator's own records as the client's memory.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>The most recent request. Throws when none arrived.</summary>
    public RecordedRequest LastRequest => _requests.LastOrDefault() ?? throw new InvalidOperationException("The emulator has received no request.");

    /// <summary>Starts an emulator that speaks <paramref name="formats"/> (the OpenAI format when none is given).</summary>
    /// <param name="formats">The wire formats, tried in order; the first that handles a request answers it.</param>
    public static Task<ProviderEmulator> StartAsync(params EmulatorWireFormat[] formats) => StartAsync(formats, CancellationToken.None);

    /// <summary>Starts an emulator that speaks <paramref name="formats"/> (the OpenAI format when none is given).</summary>
    /// <param name="formats">The wire formats.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ProviderEmulator> StartAsync(IReadOnlyList<EmulatorWireFormat>? formats, CancellationToken cancellationToken)
    {
        IReadOnlyList<EmulatorWireFormat> chosen = formats is { Count: > 0 } ? [.. formats] : [new OpenAIWireFormat()];
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        ProviderEmulator? emulator = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => async connection =>
        {
            var counter = emulator?._openConnections;
            counter?.Increment();
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                counter?.Decrement();
            }
        })));
        var app = builder.Build();
        app.Run(context => emulator!.HandleAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator = new ProviderEmulator(app, chosen, new Uri(address.EndsWith('/') ? address : address + "/"));
        return emulator;
    }

    /// <summary>Queues scripts; each answers one request, in order.</summary>
    /// <param name="scripts">The scripts.</param>
    /// <returns>This emulator.</returns>
    public ProviderEmulator Enqueue(params EmulatorScript[] scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        foreach (var script in scripts)
        {
            _scripts.Enqueue(script ?? throw new ArgumentException("A script must not be null.", nameof(scripts)));
        }

        return this;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Stop without the graceful drain: a request still held open by a script (a long delay the client gave up on) would
        // otherwise keep the host waiting for its whole shutdown timeout.
        await _app.StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override string ToString() => $"provider emulator at {BaseAddress} ({string.Join(", ", _formats.Select(f => f.Name))})";

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void ApplyHeaders(HttpResponse response, IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var header in headers)
        {
            response.Headers[header.Key] = header.Value;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        _activeRequests.Increment();
        try
        {
            await HandleCountedAsync(context).ConfigureAwait(false);
        }
        finally
        {
            _activeRequests.Decrement();
        }
    }

    private async Task HandleCountedAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var request = await RecordAsync(context.Request, aborted).ConfigureAwait(false);
        if (KeepsRequests)
        {
            _requests.Enqueue(request);
        }

        var format = _formats.FirstOrDefault(f => f.Handles(request));
        if (format is null)
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            await WriteAsync(context.Response, "{\"error\": {\"message\": \"The emulator has no wire format for this route.\", \"type\": \"invalid_request_error\", \"param\": null, \"code\": null}}", aborted).ConfigureAwait(false);
            return;
        }

        var script = ScriptFor?.Invoke(request);
        if (script is null && !_scripts.TryDequeue(out script) && (script = DefaultScript) is null)
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await WriteAsync(context.Response, "{\"error\": {\"message\": \"The emulator has no script queued for this request.\", \"type\": \"server_error\", \"param\": null, \"code\": null}}", aborted).ConfigureAwait(false);
            return;
        }

        try
        {
            if (script.FirstByteDelay > TimeSpan.Zero)
            {
                await Task.Delay(script.FirstByteDelay, aborted).ConfigureAwait(false);
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            format.AddResponseHeaders(script, headers);
            foreach (var header in script.Headers)
            {
                headers[header.Key] = header.Value;
            }

            if (script.Fault?.Kind == EmulatorFaultKind.ResetBeforeHeaders)
            {
                context.Abort();
                return;
            }

            ApplyHeaders(context.Response, headers);
            await AnswerAsync(context, format, script, request, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (a timeout test); nothing is left to answer.
        }
    }

    private static async Task AnswerAsync(HttpContext context, EmulatorWireFormat format, EmulatorScript script, RecordedRequest request, CancellationToken aborted)
    {
        var response = context.Response;
        if (script.Fault is { Kind: EmulatorFaultKind.Status } statusFault)
        {
            var error = format.RenderError(statusFault, request);
            response.StatusCode = error.StatusCode;
            response.ContentType = error.ContentType;
            ApplyHeaders(response, error.Headers);
            if (statusFault.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            await WriteAsync(response, error.Body, aborted).ConfigureAwait(false);
            return;
        }

        if (script.RawBody is { } rawBody)
        {
            response.StatusCode = script.RawStatusCode;
            response.ContentType = script.RawContentType ?? "application/json";
            await response.Body.WriteAsync(rawBody, aborted).ConfigureAwait(false);
            return;
        }

        if (script.Fault?.Kind == EmulatorFaultKind.EmptyBody)
        {
            response.StatusCode = 200;
            response.ContentType = format.IsStreamingRequest(request) ? format.StreamContentType : "application/json";
            response.ContentLength = 0;
            return;
        }

        var streaming = script.RawFrames is not null || format.IsStreamingRequest(request);
        if (!streaming)
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            var body = script.Fault?.Kind == EmulatorFaultKind.MalformedJson
                ? format.RenderMalformedBody()
                : format.RenderResponse(script, request).Body;
            if (script.Fault?.Kind == EmulatorFaultKind.DropConnection)
            {
                // Promise a longer body than is sent, then cut: the client sees the body end early.
                response.ContentLength = Encoding.UTF8.GetByteCount(body) + 100;
                await WriteAsync(response, body[..(body.Length / 2)], aborted).ConfigureAwait(false);
                await AbortAfterDrainAsync(context).ConfigureAwait(false);
                return;
            }

            if (script.Fault?.Kind == EmulatorFaultKind.Truncated)
            {
                // Half the body, announced as the whole: the response ends cleanly, the JSON does not.
                var half = Encoding.UTF8.GetBytes(body[..(body.Length / 2)]);
                response.ContentLength = half.Length;
                await response.Body.WriteAsync(half, aborted).ConfigureAwait(false);
                return;
            }

            await WriteAsync(response, body, aborted).ConfigureAwait(false);
            return;
        }

        response.StatusCode = script.RawFrames is null ? 200 : script.RawStatusCode;
        response.ContentType = script.RawFrames is null ? format.StreamContentType : script.RawContentType ?? format.StreamContentType;
        var frames = script.RawFrames is { } raw ? raw.ToList() : [.. format.RenderStream(script, request)];
        if (script.Fault?.Kind == EmulatorFaultKind.MalformedJson)
        {
            frames.Insert(Math.Min(1, frames.Count), format.RenderMalformedFrame());
        }

        await response.StartAsync(aborted).ConfigureAwait(false);
        for (var i = 0; i < frames.Count; i++)
        {
            if (script.Fault is { Kind: EmulatorFaultKind.DropConnection } drop && i == drop.AfterChunks)
            {
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                await AbortAfterDrainAsync(context).ConfigureAwait(false);
                return;
            }

            if (script.Fault is { Kind: EmulatorFaultKind.Truncated } truncated && i == truncated.AfterChunks)
            {
                // The response completes normally, without the rest of the frames or the end marker.
                return;
            }

            if (script.Fault is { Kind: EmulatorFaultKind.ErrorEvent } errorEvent && i == errorEvent.AfterChunks)
            {
                await WriteAsync(response, format.RenderErrorEvent(errorEvent), aborted).ConfigureAwait(false);
                return;
            }

            if (i > 0 && script.ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(script.ChunkDelay, aborted).ConfigureAwait(false);
            }

            await WriteAsync(response, frames[i], aborted).ConfigureAwait(false);
        }

        if (script.Fault is { Kind: EmulatorFaultKind.DropConnection })
        {
            // More chunks were asked for than the answer has: cut after the last one, before the response completes.
            await AbortAfterDrainAsync(context).ConfigureAwait(false);
        }
    }

    private static async Task AbortAfterDrainAsync(HttpContext context)
    {
        // A flush hands bytes to Kestrel's output pipe, not to the socket, and an abort discards what the pipe still holds.
        // A short pause lets the headers and the chunks already "sent" reach the client first, so the cut lands where the
        // script says: after those chunks, not before the headers.
        await Task.Delay(DrainBeforeAbort, CancellationToken.None).ConfigureAwait(false);
        context.Abort();
    }

    private static async Task<RecordedRequest> RecordAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        return new RecordedRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, headers, body.ToArray());
    }
}
