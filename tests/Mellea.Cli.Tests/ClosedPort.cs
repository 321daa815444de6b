using System.Net;
using System.Net.Sockets;

namespace Mellea.Cli.Tests;

/// <summary>A loopback URL where nothing listens: a port the OS handed out and that was closed again.</summary>
internal static class ClosedPort
{
    public static string Url()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}
