using Microsoft.Extensions.Logging;

namespace Mellea.Metrics.Tests;

public sealed class PricingTests
{
    private const string Prices = """
        {
          "gpt-4o": { "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06 },
          "claude-x": { "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06 },
          "watsonx/ibm/granite-3-8b-instruct": { "input_cost_per_token": 2e-07, "output_cost_per_token": 2e-07 },
          "image-only": { "output_cost_per_image": 0.04 }
        }
        """;

    [Fact]
    public void Entries_without_both_base_prices_are_skipped() =>
        ModelPriceTable.Parse(Prices).Count.Should().Be(3);

    [Fact]
    public void Cached_input_is_priced_at_the_cache_prices_and_the_rest_at_the_input_price()
    {
        var table = ModelPriceTable.Parse(Prices);
        var usage = new UsageDetails { InputTokens = 1000, CacheReadInputTokens = 600, CacheWriteInputTokens = 100, OutputTokens = 10 };

        var cost = table.ComputeCost("claude-x", null, "anthropic", usage);

        cost.Should().BeApproximately((300 * 3e-6) + (600 * 3e-7) + (100 * 3.75e-6) + (10 * 1.5e-5), 1e-12);
    }

    [Fact]
    public void A_missing_cache_price_falls_back_to_the_input_price()
    {
        var price = new ModelPrice(2e-6, 4e-6);

        price.ComputeCost(new UsageDetails { InputTokens = 10, CacheWriteInputTokens = 4, OutputTokens = 1 }).Should().BeApproximately((10 * 2e-6) + 4e-6, 1e-15);
    }

    [Fact]
    public void The_answering_model_is_priced_before_the_requested_one_and_names_resolve_with_provider_prefixes()
    {
        var table = ModelPriceTable.Parse(Prices);
        var usage = new UsageDetails { InputTokens = 1_000_000, OutputTokens = 0 };

        table.ComputeCost("alias", "gpt-4o", "openai", usage).Should().BeApproximately(2.5, 1e-9);
        table.ComputeCost("GPT-4O", null, "openai", usage).Should().BeApproximately(2.5, 1e-9, "names match without case");
        table.ComputeCost("ibm/granite-3-8b-instruct", null, "ibm.watsonx.ai", usage).Should().BeApproximately(0.2, 1e-9, "the OTel provider maps to LiteLLM's prefix");
        table.ComputeCost("openai/gpt-4o", null, "litellm", usage).Should().BeApproximately(2.5, 1e-9, "a routed name falls back to its last segment");
    }

    [Fact]
    public void An_unknown_model_gives_no_cost_and_one_warning_per_model()
    {
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var table = ModelPriceTable.Parse(Prices, factory.CreateLogger("pricing"));
        var usage = new UsageDetails { InputTokens = 1, OutputTokens = 1 };

        table.ComputeCost("mystery", null, "openai", usage).Should().BeNull();
        table.ComputeCost("mystery", null, "openai", usage).Should().BeNull();
        table.ComputeCost("other-mystery", null, "openai", usage).Should().BeNull();

        logs.Warnings.Should().HaveCount(2);
        logs.Warnings[0].Should().Contain("mystery");
        logs.Warnings[1].Should().Contain("other-mystery");
    }

    [Fact]
    public void Pricing_is_off_unless_enabled_and_a_bad_file_warns_instead_of_throwing()
    {
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var logger = factory.CreateLogger("pricing");

        ModelPriceTable.FromEnvironment(Env(("MELLEA_PRICING_FILE", "/nowhere.json")), logger).Should().BeNull();
        logs.Warnings.Should().BeEmpty("pricing was not enabled");

        ModelPriceTable.FromEnvironment(Env(("MELLEA_PRICING_ENABLED", "true"), ("MELLEA_PRICING_FILE", "/nowhere/prices.json")), logger).Should().BeNull();
        ModelPriceTable.FromEnvironment(Env(("MELLEA_PRICING_ENABLED", "1")), logger).Should().BeNull();
        logs.Warnings.Should().HaveCount(2);
    }

    [Fact]
    public void A_price_file_is_loaded_when_enabled()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mellea-prices-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Prices);
        try
        {
            var table = ModelPriceTable.FromEnvironment(Env(("MELLEA_PRICING_ENABLED", "yes"), ("MELLEA_PRICING_FILE", path)));

            table.Should().NotBeNull();
            table!.TryGetPrice("gpt-4o", null, out var price).Should().BeTrue();
            price.Should().Be(new ModelPrice(2.5e-06, 1e-05, 1.25e-06));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static TelemetryEnvironment Env(params (string Name, string Value)[] variables) =>
        TelemetryEnvironment.FromDictionary(variables.ToDictionary(v => v.Name, v => (string?)v.Value));

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel == LogLevel.Warning)
                {
                    lock (owner._warnings)
                    {
                        owner._warnings.Add(formatter(state, exception));
                    }
                }
            }
        }
    }
}
