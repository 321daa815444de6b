namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// What a matrix case may end with. A success must carry the whole answer, byte for byte (no bytes lost); a failure must be a
/// <see cref="GenerationException"/> of an allowed category, and whatever text a failed stream delivered must be an exact prefix
/// of the answer (no bytes corrupted, none shown twice).
/// </summary>
internal sealed class MatrixExpectation
{
    private MatrixExpectation(bool mustSucceed, bool retried, params ErrorCategory[] failures)
    {
        MustSucceed = mustSucceed;
        Retried = retried;
        Failures = failures;
    }

    public bool MustSucceed { get; }

    /// <summary>The call must have been retried exactly once.</summary>
    public bool Retried { get; }

    public IReadOnlyList<ErrorCategory> Failures { get; }

    public static MatrixExpectation For(Operation operation, Fault fault) => (fault, operation) switch
    {
        (Fault.RateLimitedWithRetryAfter or Fault.InternalServerError or Fault.ServiceUnavailable or Fault.SlowFirstByte or Fault.ResetBeforeHeaders, _) => Recovers(),
        (Fault.Unauthorized, _) => FailsAs(ErrorCategory.Auth),
        (Fault.HugeBody, _) => new(mustSucceed: true, retried: false),

        // A body cut by a dropped connection is a transport error before anything reached the caller: retried.
        (Fault.DroppedMidStream, not Operation.Stream) => Recovers(),

        // Once a chunk has reached the caller a stream is not retried (it would show that chunk twice): the failure surfaces.
        // Before that (a first frame that carries only the role) the stream is retried and recovers.
        (Fault.DroppedMidStream, Operation.Stream) => RecoversOrFailsAs(ErrorCategory.TransportError),
        (Fault.ErrorEventMidStream, Operation.Stream) => RecoversOrFailsAs(ErrorCategory.ServerError),

        // A body that is not JSON is the provider's broken answer, reported as a transport error and not retried.
        (Fault.MalformedJson, _) => FailsAs(ErrorCategory.TransportError),
        (Fault.TruncatedStream or Fault.EmptyBody, not Operation.Stream) => FailsAs(ErrorCategory.TransportError),

        // A stream that ends cleanly before its end signal ([DONE], a finish reason on every choice, Ollama's done, watsonx's and TGI's
        // final event) is a transport error, never a success: retried when nothing had reached the caller (an empty body, or a cut
        // after a role-only first frame), surfaced after the delivered prefix otherwise.
        (Fault.TruncatedStream or Fault.EmptyBody, Operation.Stream) => RecoversOrFailsAs(ErrorCategory.TransportError),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), $"{fault} does not apply to {operation}."),
    };

    public void Check(CallOutcome outcome, string because)
    {
        if (outcome.Error is { } error)
        {
            error.Should().BeOfType<GenerationException>($"{because} must fail with a typed error, not {error.GetType().Name}: {error}");
            MustSucceed.Should().BeFalse($"{because} must recover, but failed: {error}");
            Failures.Should().Contain(outcome.Category!.Value, $"{because} failed as {outcome.Category}: {error.Message}");
            Markers.Answer.Should().StartWith(outcome.Text, $"{because} delivered text that is not a prefix of the answer");
            return;
        }

        Failures.Where(_ => !MustSucceed && !MayRecover).Should().BeEmpty($"{because} must fail with {string.Join(" or ", Failures)}, but succeeded with {outcome}");
        foreach (var text in outcome.Texts)
        {
            (text == Markers.Answer || text == FaultScripts.HugeAnswer).Should().BeTrue($"{because} must deliver the whole answer, got {text.Length} chars: {(text.Length > 60 ? text[..60] : text)}");
        }

        outcome.Finished.Should().BeTrue($"{because} succeeded, so every choice must report its finish reason");
    }

    /// <summary>The failure may have been retried away (before any chunk reached the caller).</summary>
    public bool MayRecover { get; private init; }

    private static MatrixExpectation Recovers() => new(mustSucceed: true, retried: true);

    private static MatrixExpectation RecoversOrFailsAs(params ErrorCategory[] categories) => new(mustSucceed: false, retried: false, categories) { MayRecover = true };

    private static MatrixExpectation FailsAs(params ErrorCategory[] categories) => new(mustSucceed: false, retried: false, categories);
}
