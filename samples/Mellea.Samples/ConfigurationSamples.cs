using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mellea.Samples;

/// <summary>docs/configuration.md and the README's telemetry section, compiled.</summary>
internal static class ConfigurationSamples
{
    public static async Task FromAppSettingsAsync()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()   // Mellea__Model=… overrides the file
            .Build();

        var services = new ServiceCollection();
        services.AddMelleaOllama();      // each backend a configuration may name
        services.AddMelleaOpenAI();
        services.AddMelleaWatsonx();
        services.AddMellea(configuration);

        await using ServiceProvider provider = services.BuildServiceProvider();
        IGenerationHandler pipeline = provider.GetRequiredService<IGenerationHandler>();
        IGenerationHandler fast = provider.GetRequiredKeyedService<IGenerationHandler>("fast");
        Console.WriteLine($"{pipeline.Info} / {fast.Info}");
    }

    public static void BackendOptionsInCode(IServiceCollection services)
    {
        services.AddMelleaOpenAI(o =>
        {
            o.Model = "gpt-4o-mini";
            o.BaseUrl = "https://my-gateway.example/v1";   // else OPENAI_BASE_URL, else the default
        });
        services.AddMelleaWatsonx(o =>
        {
            o.Model = "ibm/granite-3-3-8b-instruct";
            o.ProjectId = "my-project";                      // else WATSONX_PROJECT_ID
        });
    }

    public static void TelemetryFromTheEnvironment()
    {
        // Reads MELLEA_TRACES_*, MELLEA_METRICS_* and OTEL_*; disposing flushes every span and metric.
        using MelleaTelemetryProviders telemetry = MelleaOpenTelemetry.StartFromEnvironment();
    }

    public static void TelemetryInYourOwnSetup()
    {
        using TracerProvider tracing = Sdk.CreateTracerProviderBuilder()
            .AddMelleaInstrumentation()
            .AddOtlpExporter()
            .Build();
        using MeterProvider metrics = Sdk.CreateMeterProviderBuilder()
            .AddMelleaInstrumentation()
            .AddOtlpExporter()
            .Build();
    }
}
