using System.CommandLine;
using Mellea.Cli.Configuration;

namespace Mellea.Cli.Commands;

/// <summary>The options <c>chat</c> and <c>raw</c> share, and how a parse result becomes <see cref="CommandLineFlags"/>.</summary>
internal sealed class CallOptions
{
    public Option<string?> Backend { get; } = new("--backend", "-b")
    {
        Description = $"The backend: {BackendProfile.Names}. Default: {BackendProfile.Default.Name}.",
        HelpName = "name",
    };

    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = "The model. Default: the config file's Model, else granite3.3:8b (ollama), gpt-4o-mini (openai), ibm/granite-3-3-8b-instruct (watsonx).",
    };

    public Option<string?> BaseUrl { get; } = new("--base-url")
    {
        Description = "The server's base URL; overrides the backend's variable (OPENAI_BASE_URL, OLLAMA_HOST, HF_BASE_URL, LITELLM_BASE_URL, WATSONX_URL) and means the same.",
        HelpName = "url",
    };

    public Option<double?> Temperature { get; } = new("--temperature", "-t") { Description = "Sampling temperature." };

    public Option<double?> TopP { get; } = new("--top-p") { Description = "Nucleus sampling probability mass." };

    public Option<int?> MaxTokens { get; } = new("--max-tokens") { Description = "The most tokens to generate." };

    public Option<string[]> Stop { get; } = new("--stop")
    {
        Description = "A stop sequence; repeat the flag for more.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<long?> Seed { get; } = new("--seed") { Description = "A seed, for providers that sample reproducibly." };

    public Option<int?> Retries { get; } = new("--retries") { Description = "Retries after the first attempt on a transient failure (429, 5xx, timeouts). Default: 2." };

    public Option<string?> ConversationId { get; } = new("--conversation-id") { Description = "Recorded as gen_ai.conversation.id on the span." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON document (text, finish reasons, usage, response model and id) instead of plain text." };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print the stack trace after the failure line." };

    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = $"An appsettings-style JSON file with a \"Mellea\" section (Backend, Model, BaseUrl, Defaults, Retry, and keys per backend). Default: ${ConfigFile.PathVariable}.",
        HelpName = "file",
    };

    /// <summary>Adds the shared options to <paramref name="command"/>, and checks the ranges a parser cannot.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { Backend, Model, BaseUrl, Temperature, TopP, MaxTokens, Stop, Seed, Retries, ConversationId, Json, Verbose, Config })
        {
            command.Options.Add(option);
        }

        Retries.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0 or > 100)
            {
                result.AddError("--retries must be between 0 and 100.");
            }
        });
        MaxTokens.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--max-tokens must be 1 or more.");
            }
        });
        Backend.Validators.Add(result =>
        {
            if (!BackendProfile.TryFind(result.GetValueOrDefault<string?>(), out _))
            {
                result.AddError($"--backend must be one of {BackendProfile.Names}.");
            }
        });
    }

    /// <summary>Reads the flags of a parse.</summary>
    /// <param name="result">The parse.</param>
    /// <param name="prompts">The prompt argument.</param>
    /// <param name="system">The <c>--system</c> option, for chat.</param>
    /// <param name="stream">The <c>--stream</c> option, for chat.</param>
    public CommandLineFlags Read(ParseResult result, Argument<string[]> prompts, Option<string?>? system = null, Option<bool>? stream = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(prompts);
        return new CommandLineFlags
        {
            Backend = Blank(result.GetValue(Backend)),
            Model = Blank(result.GetValue(Model)),
            BaseUrl = Blank(result.GetValue(BaseUrl)),
            System = system is null ? null : Blank(result.GetValue(system)),
            Temperature = result.GetValue(Temperature),
            TopP = result.GetValue(TopP),
            MaxTokens = result.GetValue(MaxTokens),
            Stop = result.GetValue(Stop) ?? [],
            Seed = result.GetValue(Seed),
            Stream = stream is not null && result.GetValue(stream),
            Retries = result.GetValue(Retries),
            ConversationId = Blank(result.GetValue(ConversationId)),
            Json = result.GetValue(Json),
            Verbose = result.GetValue(Verbose),
            ConfigPath = Blank(result.GetValue(Config)),
            Prompts = result.GetValue(prompts) ?? [],
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
