using Mellea;
using Mellea.Backends.HuggingFace;
using Mellea.Backends.LiteLlm;
using Mellea.Backends.Ollama;
using Mellea.Backends.OpenAI;
using Mellea.Backends.Watsonx;
using Mellea.Extensions.AI;
using Mellea.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

// Every call goes through the emulator from the Mellea.Testing package, over real loopback HTTP, through the full pipeline.
await using var emulator = await ProviderEmulator.StartAsync(new OpenAIWireFormat(), new OllamaWireFormat());
using var http = new HttpClient();
using var spans = new ActivityCollector();
using var root = spans.StartRoot("consumer");

emulator.Enqueue(EmulatorScript.Text("Hello from ", "OpenAI").WithUsage(3, 2));
var openai = new OpenAIBackend(http, new OpenAIBackendOptions { BaseUrl = emulator.OpenAIBaseUrl, ApiKey = "sk-consumer", Model = "gpt-4o-mini" }, _ => null)
    .AsBuilder().UseTracing().UseMetrics().UseRetry().Build();
Console.WriteLine($"openai: {(await openai.ChatAsync(new ChatRequest("hi"))).Text}");

emulator.Enqueue(EmulatorScript.Text("Hello from ", "Ollama").WithUsage(3, 2));
var ollama = new OllamaBackend(http, new OllamaBackendOptions { BaseUrl = emulator.BaseAddress.AbsoluteUri, Model = "granite3.3:8b" }, _ => null)
    .AsBuilder().UseTracing().UseMetrics().UseRetry().Build();
var streamed = new System.Text.StringBuilder();
await foreach (var update in ollama.StreamChatAsync(new ChatRequest("hi")))
{
    streamed.Append(update.TextDelta);
}

Console.WriteLine($"ollama: {streamed}");

// Dependency injection, and the Microsoft.Extensions.AI bridge, from the packages alone.
var services = new ServiceCollection();
services.AddMelleaOpenAI(options => { options.BaseUrl = emulator.OpenAIBaseUrl; options.ApiKey = "sk-consumer"; options.Model = "gpt-4o-mini"; });
services.AddMelleaLiteLlm();
services.AddMelleaHuggingFace();
services.AddMelleaWatsonx();
services.AddMelleaOllama();
services.AddGenerationPipeline(provider => provider.GetRequiredService<OpenAIBackend>()).UseTracing();
await using var provider = services.BuildServiceProvider();
emulator.Enqueue(EmulatorScript.Text("Hello from ", "DI"));
var chatClient = provider.GetRequiredService<IGenerationHandler>().AsChatClient();
var viaChatClient = await chatClient.GetResponseAsync("hi");
Console.WriteLine($"di+ichatclient: {viaChatClient.Text}");

_ = typeof(LiteLlmBackend);
_ = typeof(HuggingFaceBackend);
_ = typeof(WatsonxBackend);
Console.WriteLine($"spans: {spans.GenerationSpans.Count}");
return spans.GenerationSpans.Count == 3 ? 0 : 1;
