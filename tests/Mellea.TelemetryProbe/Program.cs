using System.Diagnostics;
using Mellea;
using Mellea.TelemetryProbe;

// Everything this process knows about telemetry comes from its environment variables: that is what the test proves.
var telemetry = MelleaOpenTelemetry.StartFromEnvironment();
await using (telemetry.ConfigureAwait(false))
{
    var pipeline = new CannedChatHandler()
        .AsBuilder()
        .Use(static async (context, next) =>
        {
            // Stands in for UseTracing() until the tracing middleware lands: one CLIENT span from Mellea's generation source.
            using var span = MelleaTelemetry.GenerationSource.StartActivity($"chat {CannedChatHandler.ModelId}", ActivityKind.Client);
            span?.SetTag(GenAiAttributes.OperationName, "chat");
            span?.SetTag(GenAiAttributes.RequestModel, CannedChatHandler.ModelId);
            await next(context).ConfigureAwait(false);
        })
        .UseMetrics()
        .Build();

    var response = await pipeline.ChatAsync(new ChatRequest("ping")).ConfigureAwait(false);
    Console.WriteLine($"probe answer: {response.Text}");
}

return 0;
