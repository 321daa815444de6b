using BenchmarkDotNet.Attributes;
using Mellea.Testing;

namespace Mellea.Benchmarks;

/// <summary>Sets up every client over one transport, with the OpenTelemetry SDK listening (only the pipeline case emits spans).</summary>
public abstract class ClientBenchmarksBase
{
    private IDisposable? _listeners;
    private ProviderEmulator? _emulator;
    private HttpClient? _http;

    [Params(Transport.InMemory, Transport.Loopback)]
    public Transport Transport { get; set; }

    /// <summary>Chunks in the answer; 1,000 as the issue says, fewer in the smoke run.</summary>
    public int Chunks { get; set; } = 1000;

    internal Clients Clients { get; private set; } = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _listeners = BenchTelemetry.Start(TelemetryState.Listening);
        string baseUrl;
        if (Transport == Transport.InMemory)
        {
            _http = new HttpClient(new InMemoryHandler(WireFixtures.StreamBody(Chunks), WireFixtures.ChatBody(Chunks)));
            baseUrl = "http://bench.invalid/v1";
        }
        else
        {
            _emulator = await ProviderEmulator.StartAsync();
            _emulator.DefaultScript = WireFixtures.Script(Chunks);
            _http = new HttpClient(new SocketsHttpHandler());
            baseUrl = _emulator.OpenAIBaseUrl;
        }

        Clients = new Clients(_http, baseUrl, TelemetryState.Listening);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http?.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        _listeners?.Dispose();
    }
}
