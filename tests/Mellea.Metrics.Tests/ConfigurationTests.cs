using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Mellea.Metrics.Tests;

/// <summary>The named factories let configuration list "metrics" and "retry" and bind the "Retry" section.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("0", 1)]
    [InlineData("2", 3)]
    public async Task The_retry_section_binds_the_retry_options(string maxRetries, int expectedCalls)
    {
        var handler = TestHandlers.Sequence(TestHandlers.Status(503), TestHandlers.Status(503), TestHandlers.Status(503));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "fake",
            ["Mellea:Middlewares:0"] = "retry",
            ["Mellea:Retry:MaxRetries"] = maxRetries,
            ["Mellea:Retry:InitialDelay"] = "00:00:00",
            ["Mellea:Retry:MaxRetryAfter"] = "00:00:30",
        }).Build();
        var services = new ServiceCollection()
            .AddGenerationBackend("fake", (_, _) => handler.Object)
            .AddMelleaRetry()
            .AddMellea(configuration);
        await using var provider = services.BuildServiceProvider();

        var pipeline = provider.GetRequiredService<GenerationPipeline>();
        await pipeline.Invoking(p => p.ChatAsync(TestHandlers.Chat()).AsTask()).Should().ThrowAsync<GenerationException>();

        var retry = pipeline.Middlewares.Should().ContainSingle().Which.Should().BeOfType<RetryMiddleware>().Which;
        retry.Options.MaxRetries.Should().Be(int.Parse(maxRetries));
        retry.Options.MaxRetryAfter.Should().Be(TimeSpan.FromSeconds(30));
        handler.Verify(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(expectedCalls));
    }

    [Fact]
    public async Task Metrics_then_retry_from_configuration_record_one_operation_and_the_retries()
    {
        using var meter = new Meter($"mellea.metrics.config.{Guid.NewGuid():N}");
        using var collector = new MetricCollector(meter);
        var handler = TestHandlers.Sequence(TestHandlers.Status(500), null);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "fake",
            ["Mellea:Middlewares:0"] = "metrics",
            ["Mellea:Middlewares:1"] = "retry",
            ["Mellea:Retry:InitialDelay"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection()
            .AddGenerationBackend("fake", (_, _) => handler.Object)
            .AddMelleaMetrics(o =>
            {
                o.Meter = meter;
                o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
            })
            .AddMelleaRetry()
            .AddMellea(configuration);
        await using var provider = services.BuildServiceProvider();

        var pipeline = provider.GetRequiredService<GenerationPipeline>();
        await pipeline.ChatAsync(TestHandlers.Chat());

        pipeline.Middlewares.Select(m => m.GetType()).Should().Equal(typeof(MetricsMiddleware), typeof(RetryMiddleware));
        collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle();
        collector.Of(MelleaMetrics.Retries).Should().ContainSingle().Which.Value.Should().Be(1);
    }
}
