namespace Mellea.Metrics.Tests;

public sealed class RetryAfterHeaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Retry_after_ms_wins_over_retry_after() =>
        RetryAfterHeader.Parse("1500", "30", Now).Should().Be(TimeSpan.FromMilliseconds(1500));

    [Fact]
    public void Retry_after_in_seconds_is_read() =>
        RetryAfterHeader.Parse(null, " 2 ", Now).Should().Be(TimeSpan.FromSeconds(2));

    [Fact]
    public void Retry_after_as_an_http_date_is_the_time_until_then() =>
        RetryAfterHeader.Parse(null, "Thu, 01 Jan 2026 12:00:05 GMT", Now).Should().Be(TimeSpan.FromSeconds(5));

    [Fact]
    public void A_date_in_the_past_means_at_once() =>
        RetryAfterHeader.Parse(null, "Thu, 01 Jan 2026 11:00:00 GMT", Now).Should().Be(TimeSpan.Zero);

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("soon", "later")]
    [InlineData("-5", "-1")]
    public void Unusable_values_give_no_delay(string? ms, string? value) =>
        RetryAfterHeader.Parse(ms, value, Now).Should().BeNull();
}
