using Mellea.Cli.Configuration;
using Mellea.Testing;

namespace Mellea.Cli.Tests;

/// <summary>Flags win over the config file, and the file wins over the environment.</summary>
public sealed class PrecedenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mellea-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_file_wins_over_the_environment_for_the_base_url_key_and_model()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("from the file's server"));
        var config = WriteConfig($$"""{ "Mellea": { "Backend": "openai", "Model": "file-model", "OpenAI": { "BaseUrl": "{{emulator.OpenAIBaseUrl}}", "ApiKey": "sk-from-file" } } }""");
        var environment = new Dictionary<string, string?>
        {
            ["OPENAI_BASE_URL"] = ClosedPort.Url() + "/v1",
            ["OPENAI_API_KEY"] = "sk-from-environment",
            [ConfigFile.PathVariable] = config,
        };

        var result = await CliRun.InProcessAsync(environment, "chat", "hello");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("from the file's server\n");
        emulator.LastRequest.Header("Authorization").Should().Be("Bearer sk-from-file");
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("file-model");
    }

    [Fact]
    public async Task Flags_win_over_the_file()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("from the flag's server"));
        var config = WriteConfig($$"""{ "Mellea": { "Backend": "ollama", "Model": "file-model", "BaseUrl": "{{ClosedPort.Url()}}", "Defaults": { "Temperature": 0.9 }, "OpenAI": { "ApiKey": "sk-from-file" } } }""");

        var result = await CliRun.InProcessAsync(
            "chat", "--config", config, "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--model", "flag-model", "--temperature", "0.1", "hello");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("from the flag's server\n");
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("flag-model");
        emulator.LastRequest.JsonProperty("temperature")!.Value.GetDouble().Should().Be(0.1);
        emulator.LastRequest.Header("Authorization").Should().Be("Bearer sk-from-file", "a flag that is not given leaves the file's value");
    }

    [Fact]
    public async Task The_environment_fills_what_neither_flags_nor_file_set()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("from the environment's server"));
        var config = WriteConfig("""{ "Mellea": { "Model": "file-model", "Defaults": { "MaxOutputTokens": 64, "StopSequences": [ "###" ] }, "Retry": { "MaxRetries": 0 } } }""");
        var environment = new Dictionary<string, string?> { ["OPENAI_BASE_URL"] = emulator.OpenAIBaseUrl, ["OPENAI_API_KEY"] = "sk-from-environment" };

        var result = await CliRun.InProcessAsync(environment, "chat", "--config", config, "--backend", "openai", "hello");

        result.ExitCode.Should().Be(0, result.ToString());
        emulator.LastRequest.Header("Authorization").Should().Be("Bearer sk-from-environment");
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("file-model");
        emulator.LastRequest.JsonProperty("max_completion_tokens")!.Value.GetInt32().Should().Be(64);
        emulator.LastRequest.JsonProperty("stop")!.Value.EnumerateArray().Select(stop => stop.GetString()).Should().Equal("###");
    }

    [Fact]
    public void The_resolver_reports_where_the_base_url_came_from()
    {
        var host = new CliHost(name => name == "OLLAMA_HOST" ? "http://gpu-box:11434" : null, TextWriter.Null, TextWriter.Null);

        var fromEnvironment = CallSettingsResolver.Resolve(new CommandLineFlags(), ConfigFile.None, host);
        var fromFlag = CallSettingsResolver.Resolve(new CommandLineFlags { BaseUrl = "http://flag:1" }, ConfigFile.None, host);
        var byDefault = CallSettingsResolver.Resolve(new CommandLineFlags(), ConfigFile.None, new CliHost(_ => null, TextWriter.Null, TextWriter.Null));

        fromEnvironment.Backend.Name.Should().Be("ollama", "ollama is the default backend");
        fromEnvironment.Model.Should().Be("granite3.3:8b");
        fromEnvironment.BaseUrl.Should().BeNull("the backend reads its own variable");
        fromEnvironment.EffectiveBaseUrl.Should().Be("http://gpu-box:11434");
        fromEnvironment.BaseUrlSource.Should().Be("OLLAMA_HOST");
        fromFlag.BaseUrl.Should().Be("http://flag:1");
        fromFlag.BaseUrlSource.Should().Be("--base-url");
        byDefault.EffectiveBaseUrl.Should().Be("http://localhost:11434");
        byDefault.MaxRetries.Should().Be(2, "the retry middleware's default");
    }

    [Fact]
    public async Task A_missing_model_is_a_configuration_error_that_says_what_to_do()
    {
        var result = await CliRun.InProcessAsync("chat", "--backend", "litellm", "hello");

        result.ExitCode.Should().Be(3);
        result.ErrorLines.Should().ContainSingle().Which.Should().Be("config: no model for litellm: pass --model or set Mellea:Model in the config file");
    }

    [Fact]
    public async Task A_config_file_that_does_not_exist_or_does_not_parse_is_named()
    {
        var missing = Path.Combine(_directory, "missing.json");
        var broken = WriteConfig("{ \"Mellea\": { \"OpenAI\": { \"ApiKey\": \"sk-secret-in-a-broken-file\" ");

        var notFound = await CliRun.InProcessAsync("chat", "--config", missing, "hello");
        var notJson = await CliRun.InProcessAsync(new Dictionary<string, string?> { [ConfigFile.PathVariable] = broken }, "chat", "hello");

        notFound.ExitCode.Should().Be(3);
        notFound.ErrorLines.Should().ContainSingle().Which.Should().Be($"config: the config file {missing} does not exist: check --config");
        notJson.ExitCode.Should().Be(3);
        notJson.ErrorLines.Should().ContainSingle().Which.Should().StartWith("config: the config file").And.EndWith("is not valid JSON: fix it or point MELLEA_CONFIG elsewhere");
        notJson.StandardError.Should().NotContain("sk-secret-in-a-broken-file");
    }

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
