using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Mellea.Testing.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Mellea.Testing;

/// <summary>
/// A loopback OpenTelemetry collector for tests: Kestrel on 127.0.0.1 with free ports, accepting OTLP/HTTP protobuf
/// exports on <c>/v1/traces</c> and <c>/v1/metrics</c> at <see cref="Endpoint"/> and OTLP/gRPC exports at
/// <see cref="GrpcEndpoint"/>, decoding them and keeping what arrived. Point an OTLP exporter (or a child process's
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) at one of them, then wait for what you expect with
/// <see cref="WaitForSpansAsync"/> or <see cref="WaitForMetricAsync"/>.
/// </summary>
/// <remarks>Thread-safe. Each instance has its own port, so tests running in parallel do not share a receiver.</remarks>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string ProtobufContentType = "application/x-protobuf";
    private const string GrpcContentType = "application/grpc";
    private const string GrpcTracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string GrpcMetricsPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private readonly Lock _gate = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<ReceivedMetric> _metrics = [];
    private readonly List<Waiter> _waiters = [];
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private int _traceRequests;
    private int _metricRequests;

    private OtlpReceiver()
    {
    }

    /// <summary>The base URL, <c>http://127.0.0.1:{port}</c>: the value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>
    /// The OTLP/gRPC endpoint, <c>http://127.0.0.1:{port}</c> on a second port that speaks cleartext HTTP/2 only: the
    /// value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> with protocol <c>grpc</c>.
    /// </summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>The span URL, <c>{Endpoint}/v1/traces</c>.</summary>
    public Uri TracesEndpoint => new(Endpoint, "v1/traces");

    /// <summary>The metric URL, <c>{Endpoint}/v1/metrics</c>.</summary>
    public Uri MetricsEndpoint => new(Endpoint, "v1/metrics");

    /// <summary>
    /// When true, exports are accepted but never answered until the receiver is disposed or the exporter gives up:
    /// a collector that hangs, for testing that export timeouts hold.
    /// </summary>
    public bool HoldRequests { get; set; }

    /// <summary>A copy of the spans received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>A copy of the metrics received so far, in arrival order (one entry per metric per export).</summary>
    public IReadOnlyList<ReceivedMetric> Metrics
    {
        get
        {
            lock (_gate)
            {
                return [.. _metrics];
            }
        }
    }

    /// <summary>How many trace export requests arrived, decodable or not.</summary>
    public int TraceRequestCount => Volatile.Read(ref _traceRequests);

    /// <summary>How many metric export requests arrived, decodable or not.</summary>
    public int MetricRequestCount => Volatile.Read(ref _metricRequests);

    /// <summary>Starts a receiver on 127.0.0.1 with a port chosen by the operating system.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running receiver. Dispose it to stop it.</returns>
    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken = default)
    {
        // The empty builder reads no configuration files and starts no file watchers: tests start many of these.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging();
        ListenOptions? http = null;
        ListenOptions? grpc = null;

        // Two ports, because cleartext HTTP/2 (what gRPC uses without TLS) needs an endpoint that speaks only HTTP/2.
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => (http = listen).Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver { _app = app };
        app.Run(receiver.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Kestrel writes the port it bound back into each endpoint's options.
        receiver.Endpoint = new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}/", UriKind.Absolute);
        receiver.GrpcEndpoint = new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}/", UriKind.Absolute);
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> spans have arrived.</summary>
    /// <param name="count">The spans expected.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>All spans received, at least <paramref name="count"/>.</returns>
    /// <exception cref="TimeoutException">Fewer spans arrived within <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        await WaitUntilAsync(() => _spans.Count >= count, timeout, () => $"{count} span(s); {_spans.Count} arrived", cancellationToken).ConfigureAwait(false);
        return Spans;
    }

    /// <summary>Waits until a metric named <paramref name="name"/> has arrived.</summary>
    /// <param name="name">The instrument name.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The latest metric of that name.</returns>
    /// <exception cref="TimeoutException">It did not arrive within <paramref name="timeout"/>.</exception>
    public async Task<ReceivedMetric> WaitForMetricAsync(string name, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await WaitUntilAsync(() => _metrics.Exists(metric => metric.Name == name), timeout, () => $"metric '{name}'; got [{string.Join(", ", _metrics.Select(m => m.Name).Distinct())}]", cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _metrics.FindLast(metric => metric.Name == name)!;
        }
    }

    /// <summary>Stops the receiver; held requests are released.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that outlive the stop timeout are dropped by the dispose below.
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (condition())
            {
                return;
            }

            waiter = new Waiter(condition, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
        }

        try
        {
            await waiter.Signal.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
                throw new TimeoutException($"The OTLP receiver at {Endpoint} waited {timeout.TotalSeconds:0.#} s for {describe()}.");
            }
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (string.Equals(path, GrpcTracePath, StringComparison.Ordinal) || string.Equals(path, GrpcMetricsPath, StringComparison.Ordinal))
        {
            await HandleGrpcAsync(context, isTraces: path == GrpcTracePath).ConfigureAwait(false);
            return;
        }

        var isTraces = string.Equals(path, "/v1/traces", StringComparison.Ordinal);
        var isMetrics = string.Equals(path, "/v1/metrics", StringComparison.Ordinal);
        if (!isTraces && !isMetrics)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        Interlocked.Increment(ref isTraces ? ref _traceRequests : ref _metricRequests);
        if (context.Request.ContentType?.StartsWith(ProtobufContentType, StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            if (HoldRequests)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, aborted.Token).ConfigureAwait(false);
            }

            var body = await ReadBodyAsync(context.Request, aborted.Token).ConfigureAwait(false);
            IMessage response;
            if (isTraces)
            {
                Add(OtlpDecoder.Decode(ExportTraceServiceRequest.Parser.ParseFrom(body)), _spans);
                response = new ExportTraceServiceResponse();
            }
            else
            {
                Add(OtlpDecoder.Decode(ExportMetricsServiceRequest.Parser.ParseFrom(body)), _metrics);
                response = new ExportMetricsServiceResponse();
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = ProtobufContentType;
            await context.Response.Body.WriteAsync(response.ToByteArray(), aborted.Token).ConfigureAwait(false);
        }
        catch (InvalidProtocolBufferException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        catch (OperationCanceledException)
        {
            // The exporter gave up or the receiver is stopping: nobody reads the answer.
        }
    }

    private async Task HandleGrpcAsync(HttpContext context, bool isTraces)
    {
        Interlocked.Increment(ref isTraces ? ref _traceRequests : ref _metricRequests);
        if (!HttpProtocol.IsHttp2(context.Request.Protocol)
            || context.Request.ContentType?.StartsWith(GrpcContentType, StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        context.Response.ContentType = GrpcContentType;
        try
        {
            if (HoldRequests)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, aborted.Token).ConfigureAwait(false);
            }

            var body = await ReadBodyAsync(context.Request, aborted.Token).ConfigureAwait(false);

            // A unary gRPC message: one byte "compressed" flag, a 4-byte big-endian length, then the protobuf bytes.
            if (body.Length < 5 || body[0] != 0 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4)) != body.Length - 5)
            {
                context.Response.AppendTrailer("grpc-status", "3");
                context.Response.AppendTrailer("grpc-message", "expected one uncompressed length-prefixed message");
                return;
            }

            var message = body.AsSpan(5);
            IMessage response;
            if (isTraces)
            {
                Add(OtlpDecoder.Decode(ExportTraceServiceRequest.Parser.ParseFrom(message)), _spans);
                response = new ExportTraceServiceResponse();
            }
            else
            {
                Add(OtlpDecoder.Decode(ExportMetricsServiceRequest.Parser.ParseFrom(message)), _metrics);
                response = new ExportMetricsServiceResponse();
            }

            var payload = response.ToByteArray();
            var framed = new byte[payload.Length + 5];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), (uint)payload.Length);
            payload.CopyTo(framed, 5);
            await context.Response.Body.WriteAsync(framed, aborted.Token).ConfigureAwait(false);
            context.Response.AppendTrailer("grpc-status", "0");
        }
        catch (InvalidProtocolBufferException)
        {
            context.Response.AppendTrailer("grpc-status", "3");
        }
        catch (OperationCanceledException)
        {
            // As for OTLP/HTTP: the exporter gave up or the receiver is stopping.
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var gzip = string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase);
        var source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        return buffer.ToArray();
    }

    private void Add<T>(List<T> received, List<T> store)
    {
        lock (_gate)
        {
            store.AddRange(received);
            foreach (var waiter in _waiters)
            {
                if (waiter.IsSatisfied())
                {
                    waiter.Signal.TrySetResult();
                }
            }
        }
    }

    private sealed record Waiter(Func<bool> IsSatisfied, TaskCompletionSource Signal);
}
