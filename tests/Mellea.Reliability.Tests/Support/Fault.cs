namespace Mellea.Reliability.Tests.Support;

/// <summary>The faults of issue 9's matrix.</summary>
public enum Fault
{
    RateLimitedWithRetryAfter,
    InternalServerError,
    ServiceUnavailable,
    Unauthorized,
    SlowFirstByte,
    ResetBeforeHeaders,
    DroppedMidStream,
    MalformedJson,
    TruncatedStream,
    ErrorEventMidStream,
    EmptyBody,
    HugeBody,
}
