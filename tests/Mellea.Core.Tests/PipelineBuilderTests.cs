using Mellea.Testing;
using Moq;

namespace Mellea.Core.Tests;

/// <summary>What <see cref="GenerationPipelineBuilder.Build"/> takes from itself and from the services, and how it refuses a factory's null.</summary>
public sealed class PipelineBuilderTests
{
    [Fact]
    public void The_builder_clock_wins_over_a_clock_in_the_services()
    {
        var services = new Mock<IServiceProvider>();
        services.Setup(s => s.GetService(typeof(TimeProvider))).Returns(new FakeTimeProvider());
        var clock = new FakeTimeProvider();
        var builder = TestData.Handler().Object.AsBuilder();
        builder.TimeProvider = clock;

        builder.Build(services.Object).TimeProvider.Should().BeSameAs(clock);
    }

    [Fact]
    public void Without_any_clock_the_pipeline_uses_the_system_clock()
    {
        TestData.Handler().Object.AsBuilder().Build().TimeProvider.Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public void A_handler_factory_that_returns_null_is_refused_with_what_it_must_return()
    {
        var build = () => new GenerationPipelineBuilder(_ => null!).Build();

        build.Should().Throw<InvalidOperationException>().WithMessage("The handler factory returned null; it must return an IGenerationHandler.");
    }

    [Fact]
    public void A_middleware_factory_that_returns_null_is_refused_with_its_index()
    {
        var build = () => TestData.Handler().Object.AsBuilder().Use((c, n) => n(c)).Use(_ => null!).Build();

        build.Should().Throw<InvalidOperationException>().WithMessage("The middleware factory at index 1 returned null*");
    }
}
