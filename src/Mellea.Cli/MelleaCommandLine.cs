using System.CommandLine;
using Mellea.Cli.Commands;
using Mellea.Cli.Demo;

namespace Mellea.Cli;

/// <summary>
/// The whole command line, testable in-process: it takes the arguments and a <see cref="CliHost"/> (environment, stdout,
/// stderr) and returns the exit code. <c>Program</c> is a thin shell around it.
/// </summary>
internal sealed class MelleaCommandLine
{
    private const string ExitCodeHelp =
        "Exit codes: 0 success, 1 the call failed (stderr names the category: auth, rate_limit, transport_error, timeout, server_error, "
        + "invalid_request, content_policy), 2 usage error, 3 configuration error, 130 interrupted.";

    private readonly CliHost _host;

    public MelleaCommandLine(CliHost host) => _host = host ?? throw new ArgumentNullException(nameof(host));

    /// <summary>Parses <paramref name="args"/> and runs the command.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="cancellationToken">Cancels the running call (Ctrl+C).</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = BuildCommands();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line that names the flag, and where to read more; the full help would bury it.
            var command = parse.CommandResult.Command == root ? "mellea" : $"mellea {parse.CommandResult.Command.Name}";
            await _host.Error.WriteLineAsync($"usage: {parse.Errors[0].Message} Run `{command} --help` for the options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = _host.Out,
            Error = _host.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private RootCommand BuildCommands()
    {
        var root = new RootCommand(
            "mellea: one LLM call through the Mellea.NET pipeline (tracing, metrics, retry) to Ollama, OpenAI, Hugging Face, LiteLLM or watsonx.ai. "
            + "Credentials come from the providers' variables (OPENAI_API_KEY, HF_TOKEN, LITELLM_API_KEY, WATSONX_API_KEY, …) or --config; "
            + "telemetry from MELLEA_TRACES_*, MELLEA_METRICS_* and OTEL_*. " + ExitCodeHelp);

        var generation = new GenerationCommand(_host);

        var chatOptions = new CallOptions();
        var system = new Option<string?>("--system", "-s") { Description = "A system prompt sent before the user's." };
        var stream = new Option<bool>("--stream") { Description = "Print tokens as they arrive." };
        var chatPrompt = new Argument<string[]>("PROMPT") { Description = "The user's message; several words are joined with spaces.", Arity = ArgumentArity.OneOrMore };
        var chat = new Command("chat", "Send one chat request and print the answer.") { chatPrompt, system, stream };
        chatOptions.AddTo(chat);
        chat.SetAction((result, token) => generation.ChatAsync(chatOptions.Read(result, chatPrompt, system, stream), token));

        var rawOptions = new CallOptions();
        var rawPrompts = new Argument<string[]>("PROMPT") { Description = "The prompts, sent as they are (no chat template); one result per prompt, in order.", Arity = ArgumentArity.OneOrMore };
        var raw = new Command("raw", "Run a raw batch completion and print one result per prompt, in order.") { rawPrompts };
        rawOptions.AddTo(raw);
        raw.SetAction((result, token) => generation.RawAsync(rawOptions.Read(result, rawPrompts), token));

        var demo = new Command("demo", "An offline tour: a loopback provider emulator answers a chat, a stream, a raw batch, a tool call, a retried 429 and a failing call; then the span tree and a metrics summary.");
        demo.SetAction((_, token) => new DemoCommand(_host).RunAsync(token));

        RejectUnknownOptions(chatPrompt);
        RejectUnknownOptions(rawPrompts);
        root.Subcommands.Add(chat);
        root.Subcommands.Add(raw);
        root.Subcommands.Add(demo);
        return root;
    }

    private static void RejectUnknownOptions(Argument<string[]> prompts)
    {
        // The parser hands an unknown "--flag" to the prompt argument, which accepts any word; a typo would then be sent to
        // the model as part of the prompt. A word that looks like a long option is refused instead, naming it.
        prompts.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length > 2 && token.Value.StartsWith("--", StringComparison.Ordinal))
                {
                    result.AddError($"Unrecognized option '{token.Value}'.");
                    return;
                }
            }
        });
    }
}
