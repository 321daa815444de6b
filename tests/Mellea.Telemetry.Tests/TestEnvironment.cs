using System.Net;
using System.Net.Sockets;

namespace Mellea.Telemetry.Tests;

/// <summary>Builds <see cref="TelemetryEnvironment"/>s from pairs, and finds loopback ports nobody listens on.</summary>
internal static class TestEnvironment
{
    public static TelemetryEnvironment Of(params (string Name, string? Value)[] variables) =>
        TelemetryEnvironment.FromDictionary(variables.ToDictionary(pair => pair.Name, pair => pair.Value));

    /// <summary>A loopback URL whose port refuses connections: it was free a moment ago and nothing listens on it.</summary>
    public static Uri RefusingEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
