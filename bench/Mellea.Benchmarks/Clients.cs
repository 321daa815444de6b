using System.ClientModel;
using System.ClientModel.Primitives;
using Mellea.Backends.OpenAI;
using OpenAI;
using OpenAI.Chat;
using MelleaChatRequest = Mellea.ChatRequest;

namespace Mellea.Benchmarks;

/// <summary>
/// Every client compared, over one <see cref="HttpClient"/>: the Mellea backend bare, the full pipeline around it, the
/// official SDK, a reference consumer and the length-only floor. Each operation returns what it read (characters of
/// text), so a broken case shows up as a wrong count instead of a fast time.
/// </summary>
internal sealed class Clients
{
    private static readonly MelleaChatRequest Request = new("Say something long.");
    private static readonly OpenAI.Chat.ChatMessage[] SdkMessages = [new UserChatMessage("Say something long.")];

    private readonly ChatClient _sdk;
    private readonly ReferenceConsumer _reference;

    public Clients(HttpClient http, string baseUrl, TelemetryState pipelineState)
    {
        Backend = new OpenAIBackend(http, new OpenAIBackendOptions { BaseUrl = baseUrl, ApiKey = "sk-bench", Model = WireFixtures.Model }, _ => null);
        Pipeline = BenchTelemetry.FullPipeline(Backend, pipelineState);
        _sdk = new ChatClient(WireFixtures.Model, new ApiKeyCredential("sk-bench"), new OpenAIClientOptions
        {
            Endpoint = new Uri(baseUrl),
            Transport = new HttpClientPipelineTransport(http),
        });
        _reference = new ReferenceConsumer(http, new Uri(baseUrl.TrimEnd('/') + "/chat/completions"));
    }

    public OpenAIBackend Backend { get; }

    public GenerationPipeline Pipeline { get; }

    public ValueTask<long> StreamBackend() => ConsumeAsync(Backend);

    public ValueTask<long> StreamPipeline() => ConsumeAsync(Pipeline);

    /// <summary>The bare backend's stream with the SDK telemetry semconv asks for written around it by hand (<see cref="HandTelemetry"/>).</summary>
    public ValueTask<long> StreamHandTelemetry() => HandTelemetry.StreamAsync(Backend, Request);

    /// <summary>The same, handed to the caller as an async stream by an iterator that keeps the span current inside it (<see cref="HandTelemetry.StreamHandedOverAsync"/>).</summary>
    public ValueTask<long> StreamHandedOver() => HandTelemetry.StreamHandedOverAsync(Backend, Request);

    /// <summary>The bare backend's stream with only what semconv requires of a stream under the SDK (<see cref="HandTelemetry.FloorStreamAsync"/>).</summary>
    public ValueTask<long> StreamFloor() => HandTelemetry.FloorStreamAsync(Backend, Request);

    public async ValueTask<long> StreamSdk()
    {
        long chars = 0;
        await foreach (var update in _sdk.CompleteChatStreamingAsync(SdkMessages))
        {
            foreach (var part in update.ContentUpdate)
            {
                chars += part.Text.Length;
            }
        }

        return chars;
    }

    public ValueTask<long> StreamReference() => _reference.StreamAsync(lengthOnly: false);

    public ValueTask<long> StreamLengthOnly() => _reference.StreamAsync(lengthOnly: true);

    public async ValueTask<long> ChatBackend() => (await Backend.ChatAsync(Request)).Text.Length;

    public async ValueTask<long> ChatPipeline() => (await Pipeline.ChatAsync(Request)).Text.Length;

    /// <summary>The bare backend with the SDK telemetry semconv asks for written around it by hand (<see cref="HandTelemetry"/>).</summary>
    public ValueTask<long> ChatHandTelemetry() => HandTelemetry.ChatAsync(Backend, Request);

    /// <summary>The bare backend with only what semconv requires of a chat under the SDK (<see cref="HandTelemetry.FloorChatAsync"/>).</summary>
    public ValueTask<long> ChatFloor() => HandTelemetry.FloorChatAsync(Backend, Request);

    public async ValueTask<long> ChatSdk()
    {
        ChatCompletion completion = await _sdk.CompleteChatAsync(SdkMessages);
        return completion.Content[0].Text.Length;
    }

    public ValueTask<long> ChatReference() => _reference.ChatAsync(lengthOnly: false);

    public ValueTask<long> ChatLengthOnly() => _reference.ChatAsync(lengthOnly: true);

    private static async ValueTask<long> ConsumeAsync(IGenerationHandler handler)
    {
        long chars = 0;
        await foreach (var update in handler.StreamChatAsync(Request))
        {
            chars += update.TextDelta?.Length ?? 0;
        }

        return chars;
    }
}
