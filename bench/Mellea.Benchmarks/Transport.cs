namespace Mellea.Benchmarks;

/// <summary>How the clients reach the canned provider.</summary>
public enum Transport
{
    /// <summary>An <see cref="HttpMessageHandler"/> that returns the bytes with no socket.</summary>
    InMemory,

    /// <summary>Kestrel on 127.0.0.1: the Mellea.Testing provider emulator.</summary>
    Loopback,
}
