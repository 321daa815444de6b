using System.Diagnostics.Metrics;
using Mellea.Testing;
using Moq;

namespace Mellea.Metrics.Tests;

/// <summary>The metrics middleware, observed through a MeterListener on a meter of the test's own.</summary>
public sealed class MetricsTests : IDisposable
{
    private static readonly TelemetryEnvironment NoPricing = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());

    private readonly Meter _meter = new($"mellea.metrics.test.{Guid.NewGuid():N}");
    private readonly MetricCollector _collector;
    private readonly FakeTimeProvider _clock = new();

    public MetricsTests() => _collector = new MetricCollector(_meter);

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void The_instruments_have_their_names_units_and_advised_buckets()
    {
        _ = new MetricsMiddleware(new MetricsOptions { Meter = _meter, Environment = NoPricing });

        var instruments = _collector.Instruments;
        instruments.Keys.Should().BeEquivalentTo(
            MelleaMetrics.OperationDuration, MelleaMetrics.TokenUsage, MelleaMetrics.TimeToFirstChunk, MelleaMetrics.TimePerOutputChunk,
            MelleaMetrics.Errors, MelleaMetrics.Retries, MelleaMetrics.CostUsd);
        instruments[MelleaMetrics.OperationDuration].Unit.Should().Be("s");
        instruments[MelleaMetrics.TimeToFirstChunk].Unit.Should().Be("s");
        instruments[MelleaMetrics.TimePerOutputChunk].Unit.Should().Be("s");
        instruments[MelleaMetrics.TokenUsage].Unit.Should().Be("{token}");
        instruments[MelleaMetrics.Errors].Unit.Should().Be("{error}");
        instruments[MelleaMetrics.Retries].Unit.Should().Be("{retry}");
        instruments[MelleaMetrics.CostUsd].Unit.Should().Be("USD");
        instruments[MelleaMetrics.OperationDuration].Should().BeOfType<Histogram<double>>();
        instruments[MelleaMetrics.TokenUsage].Should().BeOfType<Histogram<long>>();
        instruments[MelleaMetrics.Errors].Should().BeOfType<Counter<long>>();
        instruments[MelleaMetrics.CostUsd].Should().BeOfType<Counter<double>>();

        double[] duration = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
        long[] tokens = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
        foreach (var name in MelleaMetrics.DurationHistograms)
        {
            ((Histogram<double>)instruments[name]).Advice!.HistogramBucketBoundaries.Should().Equal(duration);
        }

        ((Histogram<long>)instruments[MelleaMetrics.TokenUsage]).Advice!.HistogramBucketBoundaries.Should().Equal(tokens);
        MelleaMetrics.DurationBuckets.Should().Equal(duration);
        MelleaMetrics.TokenBuckets.Should().Equal(tokens);
    }

    [Fact]
    public void The_default_meter_is_the_stable_mellea_meter()
    {
        new MetricsMiddleware(new MetricsOptions { Environment = NoPricing }).Meter.Should().BeSameAs(MelleaTelemetry.Meter);
        MelleaTelemetry.Meter.Name.Should().Be("mellea.metrics");
        MelleaTelemetry.Meter.Version.Should().Be(MelleaTelemetry.Version);
    }

    [Fact]
    public async Task A_chat_call_records_its_duration_and_tokens_with_the_common_attributes()
    {
        var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(), _clock, TimeSpan.FromSeconds(1.5)));

        await pipeline.ChatAsync(TestHandlers.Chat());

        var duration = _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which;
        duration.Value.Should().Be(1.5);
        duration.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.provider.name"] = "openai",
            ["gen_ai.request.model"] = "test-model",
            ["gen_ai.response.model"] = "test-model-2026",
            ["server.address"] = "llm.example.test",
            ["server.port"] = 8443,
            ["gen_ai.request.stream"] = false,
        });

        var tokens = _collector.Of(MelleaMetrics.TokenUsage);
        tokens.Should().HaveCount(2);
        tokens.Single(t => (string)t.Tag("gen_ai.token.type")! == "input").Value.Should().Be(3);
        tokens.Single(t => (string)t.Tag("gen_ai.token.type")! == "output").Value.Should().Be(5);
        tokens.Should().AllSatisfy(t =>
        {
            t.Tags.Should().NotContainKey("error.type");
            t.Tag("gen_ai.response.model").Should().Be("test-model-2026");
            t.Tag("gen_ai.operation.name").Should().Be("chat");
        });

        _collector.Of(MelleaMetrics.TimeToFirstChunk).Should().BeEmpty("time to first chunk is for streams only");
        _collector.Of(MelleaMetrics.TimePerOutputChunk).Should().BeEmpty("time per output chunk is for streams only");
        _collector.Of(MelleaMetrics.Errors).Should().BeEmpty();
        _collector.Of(MelleaMetrics.Retries).Should().BeEmpty();
    }

    [Fact]
    public async Task A_model_that_only_a_middleware_inside_supplies_still_tags_the_metrics()
    {
        var handler = new CannedHandler(TestHandlers.Answer(), info: new GenerationHandlerInfo("openai", new Uri("https://llm.example.test:8443/v1")));
        var builder = handler.AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder.UseMetrics(_meter, o => o.Environment = NoPricing).UseDefaultOptions(o => o.ModelId = "defaulted-model").Build();

        await pipeline.ChatAsync(TestHandlers.Chat());

        _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which.Tag("gen_ai.request.model").Should().Be("defaulted-model");
        _collector.Of(MelleaMetrics.TokenUsage).Should().HaveCount(2).And.OnlyContain(t => (string?)t.Tag("gen_ai.request.model") == "defaulted-model");
    }

    [Fact]
    public async Task No_token_data_point_is_recorded_when_the_usage_is_unknown()
    {
        var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(TestHandlers.Metadata(input: null, output: null))));

        await pipeline.ChatAsync(TestHandlers.Chat());

        _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle();
        _collector.Of(MelleaMetrics.TokenUsage).Should().BeEmpty();
    }

    [Fact]
    public async Task Only_the_known_token_count_is_recorded()
    {
        var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(TestHandlers.Metadata(input: 12, output: null))));

        await pipeline.ChatAsync(TestHandlers.Chat());

        var point = _collector.Of(MelleaMetrics.TokenUsage).Should().ContainSingle().Which;
        point.Value.Should().Be(12);
        point.Tag("gen_ai.token.type").Should().Be("input");
    }

    [Fact]
    public async Task A_failure_records_error_type_on_the_duration_and_counts_the_error_by_category()
    {
        var handler = new CannedHandler(TestHandlers.Answer(), _clock, TimeSpan.FromSeconds(0.25)) { Failure = TestHandlers.Status(503) };
        var pipeline = Pipeline(handler);

        await pipeline.Invoking(p => p.ChatAsync(TestHandlers.Chat()).AsTask()).Should().ThrowAsync<GenerationException>();

        var duration = _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which;
        duration.Value.Should().Be(0.25);
        duration.Tag("error.type").Should().Be("503");
        duration.Tags.Should().NotContainKey("gen_ai.response.model");
        var error = _collector.Of(MelleaMetrics.Errors).Should().ContainSingle().Which;
        error.Value.Should().Be(1);
        error.Tag("error.type").Should().Be("503");
        error.Tag("mellea.error.category").Should().Be("server_error");
        error.Tag("gen_ai.request.model").Should().Be("test-model");
        _collector.Of(MelleaMetrics.TokenUsage).Should().BeEmpty();
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_an_error_and_records_no_duration()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var handler = new CannedHandler(TestHandlers.Answer()) { Failure = new OperationCanceledException(cts.Token) };
        var pipeline = Pipeline(handler);

        await pipeline.Invoking(p => p.ChatAsync(TestHandlers.Chat(), cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();

        _collector.Of(MelleaMetrics.OperationDuration).Should().BeEmpty();
        _collector.Of(MelleaMetrics.Errors).Should().BeEmpty();
    }

    [Fact]
    public async Task A_stream_records_time_to_first_chunk_time_per_chunk_and_duration()
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => TestHandlers.Stream(TestHandlers.Updates("a", "b", "c"), _clock, TimeSpan.FromSeconds(0.25)));
        var pipeline = Pipeline(handler.Object);

        (await TestHandlers.Collect(pipeline.StreamChatAsync(TestHandlers.Chat()))).Should().HaveCount(4);

        var ttfc = _collector.Of(MelleaMetrics.TimeToFirstChunk).Should().ContainSingle().Which;
        ttfc.Value.Should().Be(0.25);
        ttfc.Tag("gen_ai.operation.name").Should().Be("chat");
        ttfc.Tag("gen_ai.request.model").Should().Be("test-model");
        var gaps = _collector.Of(MelleaMetrics.TimePerOutputChunk);
        gaps.Select(g => g.Value).Should().Equal(0.25, 0.25, 0.25);
        gaps.Should().AllSatisfy(g => g.Tag("gen_ai.provider.name").Should().Be("openai"));
        var duration = _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which;
        duration.Value.Should().Be(1.0);
        duration.Tag("gen_ai.request.stream").Should().Be(true);
        duration.Tag("gen_ai.response.model").Should().Be("test-model-2026");
        _collector.Of(MelleaMetrics.TokenUsage).Should().HaveCount(2, "streamed usage arrives on the final update");
    }

    [Fact]
    public async Task An_abandoned_stream_is_not_an_error_but_its_time_to_first_chunk_is_kept()
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => TestHandlers.Stream(TestHandlers.Updates("a", "b", "c"), _clock, TimeSpan.FromSeconds(0.5)));
        var pipeline = Pipeline(handler.Object);

        await foreach (var update in pipeline.StreamChatAsync(TestHandlers.Chat()))
        {
            update.TextDelta.Should().Be("a");
            break;
        }

        _collector.Of(MelleaMetrics.TimeToFirstChunk).Should().ContainSingle().Which.Value.Should().Be(0.5);
        _collector.Of(MelleaMetrics.OperationDuration).Should().BeEmpty();
        _collector.Of(MelleaMetrics.Errors).Should().BeEmpty();
    }

    [Fact]
    public async Task A_stream_failing_after_its_first_chunk_records_the_error()
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => TestHandlers.Stream(TestHandlers.Updates("a", "b"), _clock, TimeSpan.FromSeconds(0.5), failAfterFirst: new IOException("reset")));
        var pipeline = Pipeline(handler.Object);

        await FluentActions.Awaiting(() => TestHandlers.Collect(pipeline.StreamChatAsync(TestHandlers.Chat()))).Should().ThrowAsync<IOException>();

        _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which.Tag("error.type").Should().Be("transport_error");
        _collector.Of(MelleaMetrics.Errors).Should().ContainSingle().Which.Tag("mellea.error.category").Should().Be("transport_error");
        _collector.Of(MelleaMetrics.TimeToFirstChunk).Should().ContainSingle();
    }

    [Fact]
    public async Task A_raw_completion_is_a_text_completion_operation()
    {
        var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(), _clock, TimeSpan.FromSeconds(2)));

        await pipeline.CompleteRawAsync(new RawCompletionRequest(["p"]));

        var duration = _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which;
        duration.Value.Should().Be(2);
        duration.Tag("gen_ai.operation.name").Should().Be("text_completion");
        _collector.Of(MelleaMetrics.TokenUsage).Should().OnlyContain(t => (string)t.Tag("gen_ai.operation.name")! == "text_completion");
    }

    [Fact]
    public async Task A_cost_the_provider_reports_is_recorded_as_is()
    {
        var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(TestHandlers.Metadata(cost: 0.0123))));

        await pipeline.ChatAsync(TestHandlers.Chat());

        var cost = _collector.Of(MelleaMetrics.CostUsd).Should().ContainSingle().Which;
        cost.Value.Should().Be(0.0123);
        cost.Tag("gen_ai.request.model").Should().Be("test-model");
        cost.Tag("gen_ai.provider.name").Should().Be("openai");
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(-0.5, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public async Task A_free_call_costs_zero_and_a_nonsense_cost_is_not_recorded(double reported, bool recorded)
    {
        var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(TestHandlers.Metadata(cost: reported))));

        await pipeline.ChatAsync(TestHandlers.Chat());

        _collector.Of(MelleaMetrics.CostUsd).Select(c => c.Value).Should().Equal(recorded ? [reported] : []);
    }

    [Fact]
    public async Task A_cost_is_computed_from_the_price_file_when_pricing_is_enabled()
    {
        var file = WritePriceFile();
        try
        {
            var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>
            {
                ["MELLEA_PRICING_ENABLED"] = "true",
                ["MELLEA_PRICING_FILE"] = file,
            });
            var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(TestHandlers.Metadata(input: 1000, output: 500))), environment);

            await pipeline.ChatAsync(TestHandlers.Chat());

            _collector.Of(MelleaMetrics.CostUsd).Should().ContainSingle().Which.Value.Should().BeApproximately((1000 * 1e-6) + (500 * 2e-6), 1e-12);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_price_table_in_the_options_prices_calls_without_any_environment()
    {
        var table = ModelPriceTable.Parse("""{ "test-model-2026": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "litellm_provider": "openai" } }""");
        var builder = new CannedHandler(TestHandlers.Answer(TestHandlers.Metadata(input: 1000, output: 500))).AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder.UseMetrics(_meter, o =>
        {
            o.Environment = NoPricing;
            o.PriceTable = table;
        }).Build();

        await pipeline.ChatAsync(TestHandlers.Chat());

        _collector.Of(MelleaMetrics.CostUsd).Should().ContainSingle().Which.Value.Should().BeApproximately((1000 * 1e-6) + (500 * 2e-6), 1e-12);
    }

    [Fact]
    public async Task A_meter_factory_makes_the_versioned_mellea_meter_that_the_calls_are_recorded_on()
    {
        MeterOptions? asked = null;
        using var made = new Meter($"mellea.metrics.factory.{Guid.NewGuid():N}");
        var factory = new Mock<IMeterFactory>();
        factory.Setup(f => f.Create(It.IsAny<MeterOptions>())).Callback((MeterOptions o) => asked = o).Returns(made);
        using var collector = new MetricCollector(made);
        var builder = new CannedHandler(TestHandlers.Answer()).AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder.UseMetrics(o =>
        {
            o.MeterFactory = factory.Object;
            o.Environment = NoPricing;
        }).Build();

        await pipeline.ChatAsync(TestHandlers.Chat());

        asked!.Name.Should().Be(MelleaTelemetry.MeterName);
        asked.Version.Should().Be(MelleaTelemetry.Version);
        ((MetricsMiddleware)pipeline.Middlewares[0]).Meter.Should().BeSameAs(made);
        collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle();
    }

    [Fact]
    public async Task Without_mellea_pricing_enabled_the_price_file_is_not_used()
    {
        var file = WritePriceFile();
        try
        {
            var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?> { ["MELLEA_PRICING_FILE"] = file });
            var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer()), environment);

            await pipeline.ChatAsync(TestHandlers.Chat());

            _collector.Of(MelleaMetrics.CostUsd).Should().BeEmpty();
            _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Enrichment_adds_only_allowlisted_caller_tags_to_every_metric()
    {
        var enrichment = new TelemetryEnrichmentOptions();
        enrichment.AllowedTags.Add("tenant");
        enrichment.AllowedTags.Add("feature");
        enrichment.Enrich = (_, tags) =>
        {
            tags["feature"] = "search";
            tags["user.id"] = "u-123";
        };
        var builder = new CannedHandler(TestHandlers.Answer(TestHandlers.Metadata(cost: 0.5))).AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder.UseMetrics(_meter, o =>
        {
            o.Environment = NoPricing;
            o.Enrichment = enrichment;
        }).Build();
        var request = new ChatRequest("hi", new GenerationOptions { TelemetryTags = new Dictionary<string, string> { ["tenant"] = "acme", ["session"] = "s-1" } });

        await pipeline.ChatAsync(request);

        var all = _collector.All;
        all.Select(m => m.Name).Should().Contain([MelleaMetrics.OperationDuration, MelleaMetrics.TokenUsage, MelleaMetrics.CostUsd]);
        all.Should().AllSatisfy(m =>
        {
            m.Tag("tenant").Should().Be("acme");
            m.Tag("feature").Should().Be("search");
            m.Tags.Should().NotContainKey("user.id");
            m.Tags.Should().NotContainKey("session");
        });
    }

    [Fact]
    public async Task A_throwing_listener_never_fails_the_call()
    {
        using var meter = new Meter($"mellea.metrics.throwing.{Guid.NewGuid():N}");
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("exporter bug"));
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("exporter bug"));
        listener.Start();
        var pipeline = new CannedHandler(TestHandlers.Answer()).AsBuilder().UseMetrics(meter, o => o.Environment = NoPricing).Build();

        var response = await pipeline.ChatAsync(TestHandlers.Chat());

        response.Text.Should().Be("answer");
    }

    [Fact]
    public async Task Each_call_is_measured_from_its_own_start_not_from_the_clocks_origin()
    {
        var pipeline = Pipeline(new CannedHandler(TestHandlers.Answer(), _clock, TimeSpan.FromSeconds(1.5)));

        _clock.Advance(TimeSpan.FromHours(1));
        await pipeline.ChatAsync(TestHandlers.Chat());
        _clock.Advance(TimeSpan.FromMinutes(5));
        await pipeline.ChatAsync(TestHandlers.Chat());

        _collector.Of(MelleaMetrics.OperationDuration).Select(d => d.Value).Should().Equal(1.5, 1.5);
    }

    [Theory]
    [InlineData(MelleaMetrics.OperationDuration, 1)]
    [InlineData(MelleaMetrics.TokenUsage, 2)]
    [InlineData(MelleaMetrics.TimeToFirstChunk, 1)]
    [InlineData(MelleaMetrics.TimePerOutputChunk, 3)]
    [InlineData(MelleaMetrics.Errors, 1)]
    public async Task An_instrument_listened_to_alone_still_gets_its_measurements(string instrument, int expected)
    {
        // A meter of this test's own: the class's collector listens to every instrument of _meter.
        using var meter = new Meter($"mellea.metrics.alone.{Guid.NewGuid():N}");
        using var alone = new MetricCollector(meter, instrument);
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => TestHandlers.Stream(TestHandlers.Updates("a", "b", "c"), _clock, TimeSpan.FromSeconds(0.25)));
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => ValueTask.FromException<ChatResponse>(TestHandlers.Status(500)));
        var builder = handler.Object.AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder.UseMetrics(meter, o => o.Environment = NoPricing).Build();

        if (instrument == MelleaMetrics.Errors)
        {
            await FluentActions.Awaiting(async () => await pipeline.ChatAsync(TestHandlers.Chat())).Should().ThrowAsync<GenerationException>();
        }
        else
        {
            await TestHandlers.Collect(pipeline.StreamChatAsync(TestHandlers.Chat()));
        }

        alone.All.Should().HaveCount(expected).And.OnlyContain(m => m.Name == instrument);
    }

    private GenerationPipeline Pipeline(IGenerationHandler handler, TelemetryEnvironment? environment = null)
    {
        var builder = handler.AsBuilder();
        builder.TimeProvider = _clock;
        return builder.UseMetrics(_meter, o => o.Environment = environment ?? NoPricing).Build();
    }

    private static string WritePriceFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mellea-prices-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "sample_spec": { "input_cost_per_token": "see docs", "mode": "chat" },
              "test-model-2026": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "litellm_provider": "openai", "mode": "chat" }
            }
            """);
        return path;
    }
}
