namespace Mellea.Extensions.AI.Tests;

public sealed class Smoke
{
    [Fact]
    public void Builds() => true.Should().BeTrue();
}
