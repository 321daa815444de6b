using Mellea.Testing;

namespace Mellea.Reliability.Tests.Support;

/// <summary>The emulator script that plays each <see cref="Fault"/>, and which operations it applies to.</summary>
internal static class FaultScripts
{
    /// <summary>The size of <see cref="Fault.HugeBody"/>'s answer: 20 MB of text in 1 MB chunks.</summary>
    public const int HugeChunkCount = 20;

    public static readonly string HugeChunk = new('h', 1024 * 1024);

    /// <summary>A provider that echoes the key in its error text: scrubbing has to remove it.</summary>
    public static readonly string EchoingMessage = $"Incorrect API key provided: {Markers.ApiKey}. You can find your API key in your account.";

    public static string HugeAnswer => string.Concat(Enumerable.Repeat(HugeChunk, HugeChunkCount));

    /// <summary>
    /// Whether the fault means anything for the operation: an error event exists only inside a stream. The other mid-stream
    /// faults have a non-stream twin (a body cut by a dropped connection, a body cut short with a clean end).
    /// </summary>
    public static bool AppliesTo(Fault fault, Operation operation) => fault != Fault.ErrorEventMidStream || operation == Operation.Stream;

    public static EmulatorScript For(Fault fault) => fault switch
    {
        Fault.RateLimitedWithRetryAfter => EmulatorScript.Failing(EmulatorFault.Status(429, retryAfter: TimeSpan.FromSeconds(1), message: "Rate limit reached. " + EchoingMessage)),
        Fault.InternalServerError => EmulatorScript.Failing(EmulatorFault.Status(500, message: "Internal error. " + EchoingMessage)),
        Fault.ServiceUnavailable => EmulatorScript.Failing(EmulatorFault.Status(503, message: "Overloaded. " + EchoingMessage)),
        Fault.Unauthorized => EmulatorScript.Failing(EmulatorFault.Status(401, message: EchoingMessage)),
        Fault.SlowFirstByte => Answer().WithFirstByteDelay(Pipelines.SlowFirstByte),
        Fault.ResetBeforeHeaders => EmulatorScript.Failing(EmulatorFault.ResetBeforeHeaders()),
        Fault.DroppedMidStream => Answer().WithFault(EmulatorFault.DropConnection(afterChunks: 1)),
        Fault.MalformedJson => Answer().WithFault(EmulatorFault.MalformedJson()),
        Fault.TruncatedStream => Answer().WithFault(EmulatorFault.Truncated(afterChunks: 1)),
        Fault.ErrorEventMidStream => Answer().WithFault(EmulatorFault.ErrorEvent(afterChunks: 1, message: "Stream failed. " + EchoingMessage)),
        Fault.EmptyBody => EmulatorScript.Failing(EmulatorFault.EmptyBody()),
        Fault.HugeBody => EmulatorScript.Text([.. Enumerable.Repeat(HugeChunk, HugeChunkCount)]).WithUsage(7, 20_000),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    public static EmulatorScript Answer() => EmulatorScript.Text(Markers.AnswerChunks).WithUsage(7, 3);
}
