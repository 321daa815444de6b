using Mellea.Backends.LiteLlm;
using Mellea.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Settings, environment, validation before any I/O, and dependency injection.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Missing_key_fails_at_call_time_with_auth_naming_the_variable_and_sends_nothing()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        using var client = new HttpClient();
        var backend = new OpenAIBackend(client, new() { Model = "m" }, TestBackends.Environment(("OPENAI_BASE_URL", emulator.OpenAIBaseUrl)));

        var error = await ErrorTests.CatchAsync(() => backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask());

        error.Category.Should().Be(ErrorCategory.Auth);
        error.IsRetryable.Should().BeFalse();
        error.Message.Should().Contain("OPENAI_API_KEY");
        emulator.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("not a url", null, "OpenAIBackendOptions.BaseUrl")]
    [InlineData(null, "ftp://example.com/v1", "OPENAI_BASE_URL")]
    public async Task Unparseable_base_url_fails_the_call_with_an_argument_exception_naming_the_setting(string? option, string? environment, string setting)
    {
        using var client = new HttpClient();
        var backend = new OpenAIBackend(client, new() { Model = "m", BaseUrl = option, ApiKey = "k" }, TestBackends.Environment(("OPENAI_BASE_URL", environment)));

        var call = () => backend.ChatAsync(new ChatRequest("hi")).AsTask();

        (await call.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(setting);
        var stream = () => backend.StreamChatAsync(new ChatRequest("hi"));
        stream.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(setting);
    }

    [Fact]
    public async Task Bad_input_fails_before_any_http_call_naming_the_field()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);
        var noModel = TestBackends.OpenAI(emulator, client, model: null);

        var hot = () => backend.ChatAsync(new ChatRequest("hi", new() { Temperature = 5 })).AsTask();
        var emptyBatch = () => backend.CompleteRawAsync(new RawCompletionRequest([])).AsTask();
        var streamed = () => backend.StreamChatAsync(new ChatRequest("hi", new() { TopP = 2 }));
        var modelless = () => noModel.ChatAsync(new ChatRequest("hi")).AsTask();

        (await hot.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Options.Temperature");
        (await emptyBatch.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Prompts");
        streamed.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Options.TopP");
        (await modelless.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Options.ModelId");
        emulator.Requests.Should().BeEmpty();
    }

    [Fact]
    public void Construction_never_throws_and_info_is_known_before_any_call()
    {
        using var client = new HttpClient();
        var empty = TestBackends.Environment();

        var openAI = new OpenAIBackend(client, null, empty);
        var liteLlm = new LiteLlmBackend(client, null, empty);
        var broken = new OpenAIBackend(client, new() { BaseUrl = "::::" }, empty);

        openAI.Info.ProviderName.Should().Be("openai");
        openAI.Info.ServerAddress.Should().Be("api.openai.com");
        openAI.Info.ServerPort.Should().Be(443);
        liteLlm.Info.ProviderName.Should().Be("litellm");
        liteLlm.Info.ServerAddress.Should().Be("localhost");
        liteLlm.Info.ServerPort.Should().Be(4000);
        broken.Info.ServerAddress.Should().BeNull();
    }

    [Fact]
    public async Task Di_registration_uses_the_named_http_client_and_options()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Text("from di");
        var services = new ServiceCollection();
        var handlerCalls = 0;
        services.AddMelleaOpenAI(o =>
        {
            o.BaseUrl = emulator.OpenAIBaseUrl;
            o.ApiKey = TestBackends.ApiKey;
            o.Model = "gpt-di";
        }).AddHttpMessageHandler(() => new CountingHandler(() => handlerCalls++));
        await using var provider = services.BuildServiceProvider();

        var backend = provider.GetRequiredService<OpenAIBackend>();
        var response = await backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken);

        response.Text.Should().Be("from di");
        response.Metadata.RequestModel.Should().Be("gpt-di");
        handlerCalls.Should().Be(1, "calls go through the IHttpClientFactory client");
        provider.GetServices<IGenerationBackendFactory>().Select(f => f.Name).Should().Contain("openai");
    }

    [Fact]
    public async Task Configuration_driven_pipelines_select_openai_and_litellm_by_name()
    {
        await using var openAIEmulator = await ProviderEmulator.StartAsync();
        await using var liteLlmEmulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat());
        openAIEmulator.DefaultScript = EmulatorScript.Text("openai answer");
        liteLlmEmulator.DefaultScript = EmulatorScript.Text("litellm answer");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "openai",
            ["Mellea:Model"] = "gpt-configured",
            ["Mellea:BaseUrl"] = openAIEmulator.OpenAIBaseUrl,
            ["Mellea:OpenAI:ApiKey"] = TestBackends.ApiKey,
            ["Mellea:OpenAI:Organization"] = "org-cfg",
            ["Mellea:Pipelines:proxy:Backend"] = "litellm",
            ["Mellea:Pipelines:proxy:Model"] = "group-a",
            ["Mellea:Pipelines:proxy:BaseUrl"] = liteLlmEmulator.BaseAddress.AbsoluteUri,
            ["Mellea:Pipelines:proxy:LiteLLM:ApiKey"] = "sk-proxy",
        }).Build();
        var services = new ServiceCollection();
        services.AddMelleaOpenAI();
        services.AddMelleaLiteLlm();
        services.AddMellea(configuration);
        await using var provider = services.BuildServiceProvider();

        var main = await provider.GetRequiredService<IGenerationHandler>().ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken);
        var proxy = await provider.GetRequiredKeyedService<IGenerationHandler>("proxy").ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken);

        main.Text.Should().Be("openai answer");
        main.Metadata.RequestModel.Should().Be("gpt-configured");
        openAIEmulator.LastRequest.Header("Authorization").Should().Be("Bearer " + TestBackends.ApiKey);
        openAIEmulator.LastRequest.Header("OpenAI-Organization").Should().Be("org-cfg");
        proxy.Text.Should().Be("litellm answer");
        proxy.Metadata.ProviderName.Should().Be("litellm");
        liteLlmEmulator.LastRequest.Path.Should().Be("/chat/completions");
        liteLlmEmulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("group-a");
        liteLlmEmulator.LastRequest.Header("Authorization").Should().Be("Bearer sk-proxy");
    }

    private sealed class CountingHandler(Action onSend) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
