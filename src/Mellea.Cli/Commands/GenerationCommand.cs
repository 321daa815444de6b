using System.Text;
using Mellea.Cli.Configuration;
using Mellea.Cli.Output;

namespace Mellea.Cli.Commands;

/// <summary>
/// Runs <c>mellea chat</c> and <c>mellea raw</c>: resolves the settings, starts telemetry from the environment, makes one
/// call through the full pipeline, prints the answer, and turns any failure into one stderr line and an exit code.
/// Telemetry is flushed before the method returns, whatever happened.
/// </summary>
internal sealed class GenerationCommand
{
    /// <summary>How long a call may wait for response headers: local models can take a while to load.</summary>
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromMinutes(5);

    private readonly CliHost _host;

    public GenerationCommand(CliHost host) => _host = host ?? throw new ArgumentNullException(nameof(host));

    /// <summary>Runs one chat call.</summary>
    /// <param name="flags">The command line.</param>
    /// <param name="cancellationToken">Cancels the call (Ctrl+C).</param>
    public Task<int> ChatAsync(CommandLineFlags flags, CancellationToken cancellationToken) =>
        RunAsync(flags, (pipeline, settings) => ChatCallAsync(pipeline, settings, flags, cancellationToken), cancellationToken);

    /// <summary>Runs one raw batch call.</summary>
    /// <param name="flags">The command line.</param>
    /// <param name="cancellationToken">Cancels the call (Ctrl+C).</param>
    public Task<int> RawAsync(CommandLineFlags flags, CancellationToken cancellationToken) =>
        RunAsync(flags, (pipeline, settings) => RawCallAsync(pipeline, settings, flags, cancellationToken), cancellationToken);

    private async Task<int> RunAsync(CommandLineFlags flags, Func<GenerationPipeline, CallSettings, Task> call, CancellationToken cancellationToken)
    {
        var telemetry = MelleaOpenTelemetry.StartFromEnvironment(new TelemetryEnvironment(_host.Environment));
        CallSettings? settings = null;
        var tally = new RetryTally();
        try
        {
            var (path, setting) = flags.ConfigPath is { } flagPath ? (flagPath, "--config") : (_host.Read(ConfigFile.PathVariable), ConfigFile.PathVariable);
            settings = CallSettingsResolver.Resolve(flags, ConfigFile.Load(path, setting), _host);
            using var httpClient = new HttpClient { Timeout = HttpTimeout };
            var backend = BackendFactory.Create(settings, httpClient, _host.Environment);
            var pipeline = CliPipeline.Build(backend, settings.MaxRetries, tally);
            cancellationToken.ThrowIfCancellationRequested();
            await call(pipeline, settings).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (Exception exception)
        {
            var (line, exitCode) = FailureLine.Describe(exception, settings, tally.Retries);
            await _host.Error.WriteLineAsync(line).ConfigureAwait(false);
            if (flags.Verbose)
            {
                await _host.Error.WriteLineAsync(exception.ToString()).ConfigureAwait(false);
            }

            return exitCode;
        }
        finally
        {
            // A short-lived process must not lose its spans: disposing flushes both providers within their shutdown timeout.
            await telemetry.DisposeAsync().ConfigureAwait(false);
            await _host.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task ChatCallAsync(GenerationPipeline pipeline, CallSettings settings, CommandLineFlags flags, CancellationToken cancellationToken)
    {
        var prompt = string.Join(' ', flags.Prompts);
        List<ChatMessage> messages = settings.SystemPrompt is { } system ? [ChatMessage.System(system), ChatMessage.User(prompt)] : [ChatMessage.User(prompt)];
        var request = new ChatRequest(messages, settings.Options);
        if (!flags.Stream)
        {
            var response = await pipeline.ChatAsync(request, cancellationToken).ConfigureAwait(false);
            await _host.Out.WriteLineAsync(flags.Json ? JsonAnswerWriter.Chat(response.Text, response.Metadata) : response.Text).ConfigureAwait(false);
            return;
        }

        var text = new StringBuilder();
        GenerationMetadata? metadata = null;
        await foreach (var update in pipeline.StreamChatAsync(request, cancellationToken).ConfigureAwait(false))
        {
            metadata = update.Metadata ?? metadata;
            if (update.ChoiceIndex != 0 || string.IsNullOrEmpty(update.TextDelta))
            {
                continue;
            }

            text.Append(update.TextDelta);
            if (!flags.Json)
            {
                // Each token goes out as it arrives: that is the point of --stream.
                await _host.Out.WriteAsync(update.TextDelta).ConfigureAwait(false);
                await _host.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await _host.Out.WriteLineAsync(flags.Json ? JsonAnswerWriter.Chat(text.ToString(), metadata ?? new GenerationMetadata()) : string.Empty).ConfigureAwait(false);
    }

    private async Task RawCallAsync(GenerationPipeline pipeline, CallSettings settings, CommandLineFlags flags, CancellationToken cancellationToken)
    {
        var response = await pipeline.CompleteRawAsync(new RawCompletionRequest(flags.Prompts, settings.Options), cancellationToken).ConfigureAwait(false);
        if (flags.Json)
        {
            await _host.Out.WriteLineAsync(JsonAnswerWriter.Raw(response)).ConfigureAwait(false);
            return;
        }

        foreach (var completion in response.Completions.OrderBy(completion => completion.PromptIndex))
        {
            await _host.Out.WriteLineAsync(completion.Text).ConfigureAwait(false);
        }
    }
}
