using Mellea;
using Mellea.TelemetryProbe;

// Everything this process knows about telemetry comes from its environment variables: that is what the test proves.
var telemetry = MelleaOpenTelemetry.StartFromEnvironment();
await using (telemetry.ConfigureAwait(false))
{
    // The real middlewares, in their default order: one generation span per call, metrics inside it.
    var pipeline = new CannedChatHandler()
        .AsBuilder()
        .UseTracing()
        .UseMetrics()
        .Build();

    var response = await pipeline.ChatAsync(new ChatRequest("ping")).ConfigureAwait(false);
    Console.WriteLine($"probe answer: {response.Text}");
}

return 0;
