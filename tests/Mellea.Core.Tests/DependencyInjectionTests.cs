using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;

namespace Mellea.Core.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task The_default_pipeline_is_a_singleton_handler_built_from_services()
    {
        var services = new ServiceCollection();
        var log = new List<string>();
        services.AddSingleton(log);
        services.AddGenerationPipeline(_ => TestData.Handler().Object)
            .Use(sp => new RecordingMiddleware("from-di", sp.GetRequiredService<List<string>>()));
        using var provider = services.BuildServiceProvider();

        var handler = provider.GetRequiredService<IGenerationHandler>();
        await handler.ChatAsync(TestData.Chat());

        handler.Should().BeSameAs(provider.GetRequiredService<GenerationPipeline>());
        log.Should().Contain("from-di:after");
    }

    [Fact]
    public void Named_pipelines_are_keyed_services()
    {
        var services = new ServiceCollection();
        var fast = TestData.Handler().Object;
        var slow = TestData.Handler().Object;
        services.AddKeyedGenerationPipeline("fast", _ => fast);
        services.AddKeyedGenerationPipeline("slow", _ => slow);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredKeyedService<GenerationPipeline>("fast").InnerHandler.Should().BeSameAs(fast);
        provider.GetRequiredKeyedService<IGenerationHandler>("slow").Should().BeOfType<GenerationPipeline>()
            .Which.InnerHandler.Should().BeSameAs(slow);
    }

    [Fact]
    public void A_TimeProvider_registered_in_services_is_the_pipeline_clock()
    {
        var services = new ServiceCollection();
        var clock = new Mellea.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(clock);
        services.AddGenerationPipeline(_ => TestData.Handler().Object);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<GenerationPipeline>().TimeProvider.Should().BeSameAs(clock);
    }

    private const string Json = """
        {
          "Mellea": {
            "Backend": "fake",
            "Model": "file-model",
            "BaseUrl": "http://127.0.0.1:1234",
            "Middlewares": [ "defaults", "recording" ],
            "Defaults": { "Temperature": 0.3, "MaxOutputTokens": 64, "StopSequences": [ "END" ] },
            "Pipelines": {
              "fast": { "Model": "fast-model", "Middlewares": [ "recording" ] },
              "other": { "Backend": "other", "Defaults": { "Temperature": 1.5 } }
            }
          }
        }
        """;

    private static (ServiceProvider Provider, List<GenerationPipelineSettings> Settings, List<ChatRequest> Seen) BuildFromConfiguration(
        IDictionary<string, string?>? environmentOverrides = null)
    {
        var prefix = $"MELLEA_TEST_{Guid.NewGuid():N}_";
        var builder = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Json)));
        if (environmentOverrides is not null)
        {
            // Environment variables with a prefix unique to this test, so parallel tests never see each other's values.
            foreach (var pair in environmentOverrides)
            {
                Environment.SetEnvironmentVariable(prefix + pair.Key, pair.Value);
            }

            builder.AddEnvironmentVariables(prefix);
        }

        var configuration = builder.Build();
        if (environmentOverrides is not null)
        {
            foreach (var pair in environmentOverrides)
            {
                Environment.SetEnvironmentVariable(prefix + pair.Key, null);
            }
        }

        var settings = new List<GenerationPipelineSettings>();
        var seen = new List<ChatRequest>();
        var services = new ServiceCollection();
        var log = new List<string>();
        foreach (var name in new[] { "fake", "other" })
        {
            services.AddGenerationBackend(name, (s, _) =>
            {
                lock (settings)
                {
                    settings.Add(s);
                }

                var handler = TestData.Handler();
                handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
                    .Callback((ChatRequest r, CancellationToken _) =>
                    {
                        lock (seen)
                        {
                            seen.Add(r);
                        }
                    })
                    .ReturnsAsync(TestData.ChatResponse());
                return handler.Object;
            });
        }

        services.AddGenerationMiddleware("recording", (_, _) => new RecordingMiddleware("recording", log));
        services.AddMellea(configuration);
        return (services.BuildServiceProvider(), settings, seen);
    }

    [Fact]
    public async Task The_Mellea_section_selects_backend_model_base_url_middlewares_and_defaults()
    {
        var (provider, settings, seen) = BuildFromConfiguration();
        using var _ = provider;

        var pipeline = provider.GetRequiredService<GenerationPipeline>();
        await pipeline.ChatAsync(TestData.Chat());

        settings.Should().ContainSingle();
        settings[0].Backend.Should().Be("fake");
        settings[0].Model.Should().Be("file-model");
        settings[0].BaseUrl.Should().Be("http://127.0.0.1:1234");
        pipeline.Middlewares.Select(m => m.GetType().Name).Should().Equal(nameof(DefaultOptionsMiddleware), nameof(RecordingMiddleware));
        seen[0].Options!.ModelId.Should().Be("file-model");
        seen[0].Options!.Temperature.Should().Be(0.3);
        seen[0].Options!.MaxOutputTokens.Should().Be(64);
        seen[0].Options!.StopSequences.Should().Equal("END");
    }

    [Fact]
    public async Task Named_pipelines_inherit_what_they_do_not_set()
    {
        var (provider, settings, seen) = BuildFromConfiguration();
        using var _ = provider;

        var fast = provider.GetRequiredKeyedService<GenerationPipeline>("fast");
        var other = provider.GetRequiredKeyedService<IGenerationHandler>("other");
        await other.ChatAsync(TestData.Chat());

        fast.Middlewares.Select(m => m.GetType().Name).Should().Equal(nameof(RecordingMiddleware));
        settings.Single(s => s.Name == "fast").Model.Should().Be("fast-model");
        settings.Single(s => s.Name == "fast").Backend.Should().Be("fake");
        var otherSettings = settings.Single(s => s.Name == "other");
        otherSettings.Backend.Should().Be("other");
        otherSettings.Model.Should().Be("file-model");
        seen.Single().Options!.Temperature.Should().Be(1.5, "the pipeline's own Defaults section wins");
    }

    [Fact]
    public async Task Environment_variables_override_the_file()
    {
        var (provider, settings, seen) = BuildFromConfiguration(new Dictionary<string, string?>
        {
            ["Mellea__Model"] = "env-model",
            ["Mellea__Defaults__Temperature"] = "0.7",
            ["Mellea__Pipelines__fast__BaseUrl"] = "http://127.0.0.1:9999",
        });
        using var _ = provider;

        await provider.GetRequiredService<IGenerationHandler>().ChatAsync(TestData.Chat());
        provider.GetRequiredKeyedService<GenerationPipeline>("fast");

        settings.Single(s => s.Name is null).Model.Should().Be("env-model");
        seen.Single().Options!.Temperature.Should().Be(0.7);
        settings.Single(s => s.Name == "fast").BaseUrl.Should().Be("http://127.0.0.1:9999");
    }

    [Fact]
    public void An_unknown_backend_or_middleware_fails_with_a_message_that_names_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "nope",
            ["Mellea:Pipelines:x:Backend"] = "fake",
            ["Mellea:Pipelines:x:Middlewares:0"] = "missing",
        }).Build();
        var services = new ServiceCollection();
        services.AddGenerationBackend("fake", (_, _) => TestData.Handler().Object);
        services.AddMellea(configuration);
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IGenerationHandler>())
            .Should().Throw<InvalidOperationException>().WithMessage("Mellea:Backend is 'nope'*Registered: fake*");
        FluentActions.Invoking(() => provider.GetRequiredKeyedService<IGenerationHandler>("x"))
            .Should().Throw<InvalidOperationException>().WithMessage("Mellea:Pipelines:x:Middlewares names 'missing'*");
    }

    [Fact]
    public void The_built_in_middlewares_are_named_in_configuration_with_their_sections()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "fake",
            ["Mellea:Middlewares:0"] = "tracing",
            ["Mellea:Middlewares:1"] = "metrics",
            ["Mellea:Middlewares:2"] = "retry",
            ["Mellea:Middlewares:3"] = "defaults",
            ["Mellea:Tracing:CaptureContent"] = "true",
            ["Mellea:Tracing:ChunkEvents"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddGenerationBackend("fake", (_, _) => TestData.Handler().Object);
        services.AddMellea(configuration);
        using var provider = services.BuildServiceProvider();

        var pipeline = provider.GetRequiredService<GenerationPipeline>();

        pipeline.Middlewares.Select(m => m.GetType().Name).Should().Equal(
            nameof(TracingMiddleware), nameof(MetricsMiddleware), nameof(RetryMiddleware), nameof(DefaultOptionsMiddleware));
        var tracing = (TracingMiddleware)pipeline.Middlewares[0];
        tracing.CaptureContent.Should().BeTrue();
        tracing.ChunkEvents.Should().BeFalse();
    }

    [Fact]
    public void An_application_registration_of_a_built_in_middleware_is_kept()
    {
        ConfiguredTracing(o => o.CaptureContent = true).CaptureContent.Should().BeTrue();
    }

    [Fact]
    public void A_configured_tracing_middleware_warns_through_the_registered_logger_factory_when_it_follows_the_deprecated_content_name()
    {
        var logger = new Mock<ILogger>();
        var loggers = new Mock<ILoggerFactory>();
        loggers.Setup(f => f.CreateLogger(typeof(TracingMiddleware).FullName!)).Returns(logger.Object);

        var tracing = ConfiguredTracing(
            o => o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?> { ["MELLEA_TRACE_CONTENT"] = "true" }),
            services => services.AddSingleton(loggers.Object));

        tracing.CaptureContent.Should().BeTrue();
        logger.Verify(
            l => l.Log(
                LogLevel.Warning,
                It.IsAny<EventId>(),
                It.Is<It.IsAnyType>((state, _) => NamesTheReplacement(state)),
                null,
                It.IsAny<Func<It.IsAnyType, Exception?, string>>()),
            Times.Once);
    }

    // A configuration-built pipeline of a fake backend and the tracing middleware alone, registered with configure.
    private static TracingMiddleware ConfiguredTracing(Action<TracingOptions> configure, Action<IServiceCollection>? register = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "fake",
            ["Mellea:Middlewares:0"] = "tracing",
        }).Build();
        var services = new ServiceCollection();
        register?.Invoke(services);
        services.AddGenerationBackend("fake", (_, _) => TestData.Handler().Object);
        services.AddMelleaTracing(configure);
        services.AddMellea(configuration);
        using var provider = services.BuildServiceProvider();
        return (TracingMiddleware)provider.GetRequiredService<GenerationPipeline>().Middlewares[0];
    }

    private static bool NamesTheReplacement(object? logState) =>
        logState?.ToString()?.Contains("MELLEA_TRACE_CONTENT is deprecated", StringComparison.Ordinal) == true
        && logState.ToString()!.Contains("use MELLEA_TRACES_CONTENT instead", StringComparison.Ordinal);
}
