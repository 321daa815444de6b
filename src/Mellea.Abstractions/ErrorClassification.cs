namespace Mellea;

/// <summary>What <see cref="ErrorClassifier.Classify(Exception, CancellationToken)"/> says of a failure.</summary>
/// <param name="Category">The category (<c>mellea.error.category</c>).</param>
/// <param name="ErrorType">The <c>error.type</c> value, the same on spans and metrics.</param>
/// <param name="IsRetryable">Whether another attempt could succeed.</param>
/// <param name="RetryAfter">The delay the provider asked for, if any.</param>
public readonly record struct ErrorClassification(ErrorCategory Category, string ErrorType, bool IsRetryable, TimeSpan? RetryAfter)
{
    /// <summary>Whether the failure is the caller's own cancellation or an abandoned stream, which are not errors.</summary>
    public bool IsCancellation => Category == ErrorCategory.Cancelled;
}
