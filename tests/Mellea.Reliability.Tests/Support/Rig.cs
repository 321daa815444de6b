using Mellea.Backends.HuggingFace;
using Mellea.Backends.Http;
using Mellea.Backends.LiteLlm;
using Mellea.Backends.Ollama;
using Mellea.Backends.OpenAI;
using Mellea.Backends.Watsonx;
using Mellea.Testing;

namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// One backend wired to its own loopback emulator (watsonx also to an IAM emulator), configured with the marker key, and an
/// answer every unscripted request gets. Faults are queued on <see cref="Emulator"/>; each answers one request.
/// </summary>
internal sealed class Rig : IAsyncDisposable
{
    private readonly ProviderEmulator? _iam;
    private readonly WatsonxIamWireFormat? _iamFormat;

    private Rig(BackendKind kind, ProviderEmulator emulator, ProviderEmulator? iam, WatsonxIamWireFormat? iamFormat, HttpClient client, IGenerationHandler backend)
    {
        Kind = kind;
        Emulator = emulator;
        _iam = iam;
        _iamFormat = iamFormat;
        Client = client;
        Backend = backend;
    }

    public BackendKind Kind { get; }

    public ProviderEmulator Emulator { get; }

    public HttpClient Client { get; }

    public IGenerationHandler Backend { get; }

    /// <summary>Every secret this rig handed out: the key, and each IAM token issued so far.</summary>
    public IReadOnlyList<string> Secrets => [Markers.ApiKey, Markers.IamTokenPrefix, .. _iamFormat?.IssuedTokens ?? []];

    /// <summary>Provider requests seen by the emulator (IAM token exchanges are not counted).</summary>
    public int ProviderRequestCount => Emulator.Requests.Count;

    public static Task<Rig> StartAsync(BackendKind kind, HttpMessageHandler? handler = null) => StartAsync(kind, handler, null);

    /// <summary>Starts a rig. <paramref name="baseUrl"/> overrides the emulator's address (bad-input tests).</summary>
    public static async Task<Rig> StartAsync(BackendKind kind, HttpMessageHandler? handler, string? baseUrl)
    {
        var formats = Formats(kind);
        var emulator = await ProviderEmulator.StartAsync(formats, CancellationToken.None);
        emulator.DefaultScript = EmulatorScript.Text(Markers.AnswerChunks).WithUsage(7, 3);
        ProviderEmulator? iam = null;
        WatsonxIamWireFormat? iamFormat = null;
        if (kind == BackendKind.Watsonx)
        {
            iamFormat = new WatsonxIamWireFormat();
            iam = await ProviderEmulator.StartAsync([iamFormat], CancellationToken.None);
            iam.DefaultScript = EmulatorScript.Text("token");
        }

        var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        client.Timeout = TimeSpan.FromSeconds(60);
        var backend = Create(kind, emulator, iam, client, baseUrl);
        return new Rig(kind, emulator, iam, iamFormat, client, backend);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
        if (_iam is not null)
        {
            await _iam.DisposeAsync();
        }
    }

    public override string ToString() => $"{Kind} rig at {Emulator.BaseAddress}";

    private static EmulatorWireFormat[] Formats(BackendKind kind) => kind switch
    {
        BackendKind.OpenAI => [new OpenAIWireFormat()],
        BackendKind.LiteLlm => [new LiteLlmWireFormat()],
        BackendKind.Ollama => [new OllamaWireFormat()],
        BackendKind.HuggingFace => [new TgiWireFormat()],
        BackendKind.Watsonx => [new WatsonxWireFormat()],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static IGenerationHandler Create(BackendKind kind, ProviderEmulator emulator, ProviderEmulator? iam, HttpClient client, string? baseUrl)
    {
        Func<string, string?> Env(params (string Name, string? Value)[] variables) =>
            ProviderEnvironment.FromDictionary(variables.ToDictionary(v => v.Name, v => v.Value));

        return kind switch
        {
            BackendKind.OpenAI => new OpenAIBackend(client, new OpenAIBackendOptions { Model = "gpt-test", ApiKey = Markers.ApiKey, BaseUrl = baseUrl ?? emulator.OpenAIBaseUrl }, Env()),
            BackendKind.LiteLlm => new LiteLlmBackend(client, new LiteLlmBackendOptions { Model = "my-group", ApiKey = Markers.ApiKey, BaseUrl = baseUrl ?? emulator.BaseAddress.AbsoluteUri }, Env()),
            BackendKind.Ollama => new OllamaBackend(client, new OllamaBackendOptions { Model = "llama3.2", ApiKey = Markers.ApiKey, BaseUrl = baseUrl ?? emulator.BaseAddress.AbsoluteUri }, Env()),
            BackendKind.HuggingFace => new HuggingFaceBackend(client, new HuggingFaceBackendOptions { Model = "meta-llama/Llama-3.1-8B-Instruct", ApiKey = Markers.ApiKey, BaseUrl = baseUrl ?? emulator.OpenAIBaseUrl }, Env()),
            BackendKind.Watsonx => new WatsonxBackend(client, new WatsonxBackendOptions
            {
                Model = "ibm/granite-3-8b-instruct",
                ApiKey = Markers.ApiKey,
                ProjectId = "project-1",
                BaseUrl = baseUrl ?? emulator.BaseAddress.AbsoluteUri,
                IamUrl = WatsonxIamWireFormat.TokenUrl(iam!),
            }, Env()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }
}
