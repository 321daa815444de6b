using Microsoft.Extensions.Logging;
using Moq;
using static Mellea.Telemetry.Tests.TestEnvironment;

namespace Mellea.Telemetry.Tests;

/// <summary>
/// An application that calls <c>UseTracing</c> without the environment bootstrap still hears that
/// <c>MELLEA_TRACE_CONTENT</c> is deprecated, once, from the middleware that followed it.
/// </summary>
public sealed class DeprecatedContentVariableTests
{
    private const string Expected = "MELLEA_TRACE_CONTENT is deprecated and will be removed in the next release; use MELLEA_TRACES_CONTENT instead.";

    [Fact]
    public void UseTracing_warns_once_through_the_registered_logger_factory_and_still_captures()
    {
        using var logs = new CollectingLoggerFactory();
        var services = new Mock<IServiceProvider>();
        services.Setup(s => s.GetService(typeof(ILoggerFactory))).Returns(logs);

        var pipeline = new CannedHandler().AsBuilder()
            .UseTracing(o => o.Environment = Of(("MELLEA_TRACE_CONTENT", "true")))
            .Build(services.Object);

        logs.Warnings.Should().Equal(Expected);
        logs.Entries.Should().ContainSingle().Which.Category.Should().Be(typeof(TracingMiddleware).FullName);
        pipeline.Middlewares.OfType<TracingMiddleware>().Should().ContainSingle().Which.CaptureContent.Should().BeTrue();
    }

    [Fact]
    public void Each_middleware_built_warns_once_however_many_calls_it_serves()
    {
        using var logs = new CollectingLoggerFactory();
        var options = new TracingOptions { Environment = Of(("MELLEA_TRACE_CONTENT", "yes")), LoggerFactory = logs };

        var first = new TracingMiddleware(options);
        _ = new TracingMiddleware(options);

        first.CaptureContent.Should().BeTrue();
        logs.Warnings.Should().Equal(Expected, Expected);
    }

    [Fact]
    public void Set_beside_the_new_name_it_still_warns_and_the_new_name_decides()
    {
        using var logs = new CollectingLoggerFactory();

        var middleware = new TracingMiddleware(new TracingOptions
        {
            Environment = Of(("MELLEA_TRACES_CONTENT", "false"), ("MELLEA_TRACE_CONTENT", "true")),
            LoggerFactory = logs,
        });

        middleware.CaptureContent.Should().BeFalse();
        logs.Warnings.Should().Equal(Expected);
    }

    [Fact]
    public void An_explicit_option_does_not_follow_the_environment_and_gives_no_warning()
    {
        using var logs = new CollectingLoggerFactory();

        var middleware = new TracingMiddleware(new TracingOptions
        {
            CaptureContent = false,
            Environment = Of(("MELLEA_TRACE_CONTENT", "true")),
            LoggerFactory = logs,
        });

        middleware.CaptureContent.Should().BeFalse();
        logs.Entries.Should().BeEmpty();
    }

    [Fact]
    public void The_current_name_alone_logs_nothing()
    {
        using var logs = new CollectingLoggerFactory();

        var middleware = new TracingMiddleware(new TracingOptions { Environment = Of(("MELLEA_TRACES_CONTENT", "true")), LoggerFactory = logs });

        middleware.CaptureContent.Should().BeTrue();
        logs.Entries.Should().BeEmpty();
    }

    [Fact]
    public void A_failing_logger_never_fails_building_the_middleware()
    {
        var loggers = new Mock<ILoggerFactory>();
        loggers.Setup(f => f.CreateLogger(It.IsAny<string>())).Throws(new InvalidOperationException("logging is down"));

        var middleware = new TracingMiddleware(new TracingOptions { Environment = Of(("MELLEA_TRACE_CONTENT", "true")), LoggerFactory = loggers.Object });

        middleware.CaptureContent.Should().BeTrue();
        loggers.Verify(f => f.CreateLogger(It.IsAny<string>()), Times.Once);
    }
}
