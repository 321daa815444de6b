using Mellea.Backends.Ollama;
using Mellea.Backends.OpenAI;
using Mellea.Extensions.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Mellea.Samples;

/// <summary>The README's quickstart, compiled.</summary>
internal static class QuickstartSamples
{
    public static async Task BuilderAsync()
    {
        using var http = new HttpClient();
        IGenerationHandler backend = new OllamaBackend(http, new OllamaBackendOptions { Model = "granite3.3:8b" });

        // Wrap the backend in middlewares; the first Use is the outermost.
        GenerationPipeline pipeline = backend.AsBuilder()
            .UseDefaultOptions(o => o.Temperature = 0.2)
            .UseTracing()   // one OpenTelemetry GenAI span per call
            .UseMetrics()   // gen_ai.client.* and mellea.llm.* metrics
            .UseRetry()     // 429, 5xx and timeouts, honouring Retry-After
            .Build();

        ChatResponse answer = await pipeline.ChatAsync(new ChatRequest("Say hello in French."));
        Console.WriteLine(answer.Text);

        await foreach (ChatResponseUpdate update in pipeline.StreamChatAsync(new ChatRequest("Count to three.")))
        {
            Console.Write(update.TextDelta);
        }

        RawCompletionResponse batch = await pipeline.CompleteRawAsync(new RawCompletionRequest(["1 + 1 =", "2 + 2 ="]));
        Console.WriteLine(batch.Completions[0].Text);
    }

    public static GenerationPipeline CustomMiddleware(IGenerationHandler backend) =>
        backend.AsBuilder()
            .Use(async (context, next) =>
            {
                // Written once, runs around chat, streaming chat and raw batch calls alike.
                Console.WriteLine($"-> {context.Operation} {context.RequestModel}");
                try { await next(context); }
                finally { Console.WriteLine($"<- {context.Metadata?.Usage}"); }
            })
            .Build();

    public static async Task DependencyInjectionAsync()
    {
        var services = new ServiceCollection();
        services.AddMelleaOpenAI(o => o.Model = "gpt-4o-mini");   // the key comes from OPENAI_API_KEY
        services.AddGenerationPipeline(sp => sp.GetRequiredService<OpenAIBackend>())
            .UseDefaultOptions(o => o.MaxOutputTokens = 512)
            .UseTracing()
            .UseMetrics()
            .UseRetry();

        await using ServiceProvider provider = services.BuildServiceProvider();
        IGenerationHandler pipeline = provider.GetRequiredService<IGenerationHandler>();
        ChatResponse answer = await pipeline.ChatAsync(new ChatRequest("Hello!"));

        // The same pipeline as a Microsoft.Extensions.AI IChatClient:
        IChatClient chatClient = pipeline.AsChatClient();
        Console.WriteLine(answer.Text + (await chatClient.GetResponseAsync("Hello again!")).Text);
    }
}
