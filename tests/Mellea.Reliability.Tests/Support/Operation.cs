namespace Mellea.Reliability.Tests.Support;

/// <summary>The three operations every backend offers.</summary>
public enum Operation
{
    Chat,
    Stream,
    RawBatch,
}
