using System.Diagnostics;
using System.Globalization;
using Mellea.Backends.OpenAI;
using Mellea.Cli.Configuration;
using Mellea.Cli.Output;
using Mellea.Testing;
using Microsoft.Extensions.AI;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mellea.Cli.Demo;

/// <summary>
/// <c>mellea demo</c>: starts the provider emulator on loopback and walks through a chat, a stream, a raw batch, a tool call,
/// a 429 that is retried and a failing call, each through the real OpenAI backend, the real HTTP stack and the full
/// pipeline (tool invocation, tracing, metrics, retry). Then it shows the span tree and a metrics summary.
/// Offline: no server, no key.
/// </summary>
internal sealed class DemoCommand
{
    private readonly CliHost _host;
    private readonly IAnsiConsole _console;

    public DemoCommand(CliHost host)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = host.OutputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = host.OutputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = host.OutputIsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(host.Out),
        });
        if (!host.OutputIsTerminal)
        {
            // Redirected output has no width; a wide page keeps the tree's attribute lines whole.
            _console.Profile.Width = 160;
        }
    }

    /// <summary>Runs the demo.</summary>
    /// <param name="cancellationToken">Stops it (Ctrl+C).</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var telemetry = MelleaOpenTelemetry.StartFromEnvironment(new TelemetryEnvironment(_host.Environment));
        try
        {
            using var recorder = new DemoTelemetryRecorder();
            var emulator = await ProviderEmulator.StartAsync([new OpenAIWireFormat()], cancellationToken).ConfigureAwait(false);
            await using var stopEmulator = emulator.ConfigureAwait(false);
            using var httpClient = new HttpClient();

            // The backend reads nothing from the environment: the demo must behave the same on every machine.
            var backend = new OpenAIBackend(
                httpClient,
                new OpenAIBackendOptions { BaseUrl = emulator.OpenAIBaseUrl, ApiKey = DemoScenario.PlaceholderKey, Model = DemoScenario.Model },
                static _ => null);
            var tally = new RetryTally();
            var pipeline = CliPipeline.Build(backend, maxRetries: 2, tally);
            var toolCalls = new List<string>();
            var weather = AIFunctionFactory.Create(
                (string city) =>
                {
                    toolCalls.Add(city);
                    return DemoScenario.GetWeather(city);
                },
                "get_weather",
                "Gets the current weather for a city.");
            var toolPipeline = backend.AsBuilder().UseToolInvocation(weather).UseTracing().UseMetrics().UseRetry().Build();

            WriteTitle(emulator);
            await ChatAsync(emulator, pipeline, cancellationToken).ConfigureAwait(false);
            await StreamAsync(emulator, pipeline, cancellationToken).ConfigureAwait(false);
            await RawBatchAsync(emulator, pipeline, cancellationToken).ConfigureAwait(false);
            await ToolCallAsync(emulator, toolPipeline, toolCalls, cancellationToken).ConfigureAwait(false);
            await RetryAsync(emulator, pipeline, tally, cancellationToken).ConfigureAwait(false);
            await FailureAsync(emulator, pipeline, tally, cancellationToken).ConfigureAwait(false);

            _console.Write(new Rule("[bold]What the pipeline recorded[/]").LeftJustified());
            _console.Write(SpanTreeView.Build(recorder.Spans));
            _console.WriteLine();
            _console.Write(MetricsTableView.Build(recorder.Metrics));
            WriteNextSteps(emulator);
            return ExitCodes.Success;
        }
        catch (Exception exception)
        {
            var (line, exitCode) = FailureLine.Describe(exception, null, 0);
            await _host.Error.WriteLineAsync($"demo failed: {line}").ConfigureAwait(false);
            await _host.Error.WriteLineAsync(exception.ToString()).ConfigureAwait(false);
            return exitCode;
        }
        finally
        {
            await telemetry.DisposeAsync().ConfigureAwait(false);
            await _host.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static Activity? StartStep(string name) => DemoTelemetryRecorder.DemoSource.StartActivity(name);

    private static string Describe(GenerationMetadata metadata)
    {
        var usage = metadata.Usage is { } counts ? $"{counts.InputTokens} in / {counts.OutputTokens} out tokens" : "no usage";
        var finish = metadata.FinishReasons.Count > 0 ? string.Join(",", metadata.FinishReasons.Select(reason => reason.Value)) : "-";
        return $"model {metadata.ResponseModel ?? "?"} · {usage} · finish {finish} · id {metadata.ResponseId ?? "-"}";
    }

    private void WriteTitle(ProviderEmulator emulator)
    {
        _console.Write(new Rule("[bold deepskyblue1]Mellea.NET demo[/]"));
        _console.MarkupLine($"A provider emulator is listening at [underline]{Markup.Escape(emulator.BaseAddress.ToString())}[/] and speaks OpenAI's wire format.");
        _console.MarkupLine("Every step below is a real HTTP call through the [bold]OpenAI backend[/] and the pipeline [bold]UseTracing → UseMetrics → UseRetry[/].");
        _console.WriteLine();
    }

    private void WriteStep(int number, string title, string prompt)
    {
        _console.Write(new Rule($"[bold]{number}. {Markup.Escape(title)}[/]").LeftJustified());
        _console.MarkupLine($"[grey]prompt:[/] {Markup.Escape(prompt)}");
    }

    private void WriteAnswer(string text, string details, string colour = "green")
    {
        IRenderable body = new Rows(new Markup(Markup.Escape(text)), new Markup($"[grey]{Markup.Escape(details)}[/]"));
        _console.Write(new Panel(body).Header("answer").BorderColor(colour == "green" ? Color.Green : Color.Yellow).RoundedBorder());
    }

    private async Task ChatAsync(ProviderEmulator emulator, GenerationPipeline pipeline, CancellationToken cancellationToken)
    {
        WriteStep(1, "chat", DemoScenario.ChatPrompt);
        using var step = StartStep("demo 1: chat");
        emulator.Enqueue(DemoScenario.Chat());
        var response = await pipeline.ChatAsync(new ChatRequest(DemoScenario.ChatPrompt), cancellationToken).ConfigureAwait(false);
        WriteAnswer(response.Text, Describe(response.Metadata));
    }

    private async Task StreamAsync(ProviderEmulator emulator, GenerationPipeline pipeline, CancellationToken cancellationToken)
    {
        WriteStep(2, "stream", DemoScenario.StreamPrompt);
        using var step = StartStep("demo 2: stream");
        emulator.Enqueue(DemoScenario.Stream());
        GenerationMetadata? metadata = null;
        var chunks = 0;
        _console.Markup("[grey]answer (live):[/]\n");
        await foreach (var update in pipeline.StreamChatAsync(new ChatRequest(DemoScenario.StreamPrompt), cancellationToken).ConfigureAwait(false))
        {
            metadata = update.Metadata ?? metadata;
            if (!string.IsNullOrEmpty(update.TextDelta))
            {
                chunks++;
                _console.Write(new Text(update.TextDelta, new Style(Color.Green)));
            }
        }

        _console.WriteLine();
        var firstChunk = metadata?.TimeToFirstChunk is { } ttfc ? $" · first token after {ttfc.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms" : string.Empty;
        _console.MarkupLine($"[grey]{chunks} chunks{Markup.Escape(firstChunk)} · {Markup.Escape(metadata is null ? "no metadata" : Describe(metadata))}[/]");
    }

    private async Task RawBatchAsync(ProviderEmulator emulator, GenerationPipeline pipeline, CancellationToken cancellationToken)
    {
        WriteStep(3, "raw batch", $"{DemoScenario.RawPrompts.Count} prompts, one /v1/completions call");
        using var step = StartStep("demo 3: raw batch");
        emulator.Enqueue(DemoScenario.RawBatch());
        var response = await pipeline.CompleteRawAsync(new RawCompletionRequest(DemoScenario.RawPrompts), cancellationToken).ConfigureAwait(false);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("#").AddColumn("prompt").AddColumn("completion").AddColumn("finish");
        foreach (var completion in response.Completions.OrderBy(completion => completion.PromptIndex))
        {
            table.AddRow(
                completion.PromptIndex.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(DemoScenario.RawPrompts[completion.PromptIndex]),
                $"[green]{Markup.Escape(completion.Text)}[/]",
                Markup.Escape(completion.FinishReason?.Value ?? "-"));
        }

        _console.Write(table);
        _console.MarkupLine($"[grey]{Markup.Escape(Describe(response.Metadata))}[/]");
    }

    private async Task ToolCallAsync(ProviderEmulator emulator, GenerationPipeline toolPipeline, List<string> toolCalls, CancellationToken cancellationToken)
    {
        WriteStep(4, "tool call", DemoScenario.ToolPrompt);
        using var step = StartStep("demo 4: tool call");
        emulator.Enqueue(DemoScenario.ToolCall(), DemoScenario.ToolAnswer());
        var response = await toolPipeline.ChatAsync(new ChatRequest(DemoScenario.ToolPrompt), cancellationToken).ConfigureAwait(false);
        foreach (var city in toolCalls)
        {
            _console.MarkupLine($"[mediumpurple1]the model called[/] get_weather(city: \"{Markup.Escape(city)}\") [mediumpurple1]→[/] \"{Markup.Escape(DemoScenario.GetWeather(city))}\" [grey](run by UseToolInvocation, result sent back to the model)[/]");
        }

        WriteAnswer(response.Text, Describe(response.Metadata));
    }

    private async Task RetryAsync(ProviderEmulator emulator, GenerationPipeline pipeline, RetryTally tally, CancellationToken cancellationToken)
    {
        WriteStep(5, "a 429, retried", DemoScenario.RetryPrompt);
        using var step = StartStep("demo 5: 429 retried");
        emulator.Enqueue(DemoScenario.Throttled(), DemoScenario.AfterThrottle());
        var response = await pipeline.ChatAsync(new ChatRequest(DemoScenario.RetryPrompt), cancellationToken).ConfigureAwait(false);
        _console.MarkupLine(
            $"[yellow]attempt 1: HTTP 429[/] with retry-after-ms {DemoScenario.RetryAfter.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} "
            + $"[grey]→[/] UseRetry waited and tried again [grey]→[/] [green]succeeded after {tally.Retries} retr{(tally.Retries == 1 ? "y" : "ies")}[/]");
        WriteAnswer(response.Text, Describe(response.Metadata));
    }

    private async Task FailureAsync(ProviderEmulator emulator, GenerationPipeline pipeline, RetryTally tally, CancellationToken cancellationToken)
    {
        WriteStep(6, "a failing call", DemoScenario.FailingPrompt);
        using var step = StartStep("demo 6: failing call");
        emulator.Enqueue(DemoScenario.Refused());
        try
        {
            await pipeline.ChatAsync(new ChatRequest(DemoScenario.FailingPrompt), cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException("The emulator was scripted to refuse this call, yet it answered.");
        }
        catch (GenerationException exception)
        {
            var settings = new CallSettings
            {
                Backend = BackendProfile.All.Single(profile => profile.Kind == BackendKind.OpenAI),
                Model = DemoScenario.Model,
                EffectiveBaseUrl = emulator.OpenAIBaseUrl,
                Options = new GenerationOptions(),
            };
            var (line, exitCode) = FailureLine.Describe(exception, settings, tally.Retries);
            _console.MarkupLine($"[red]the call failed[/] (HTTP {exception.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}, category [bold]{exception.Category.ToWireName()}[/], not retried: retrying cannot fix a key).");
            _console.MarkupLine($"[grey]`mellea chat` would print this one line on stderr and exit {exitCode}:[/]");
            _console.Write(new Panel(new Markup($"[red]{Markup.Escape(line)}[/]")).Header("stderr").BorderColor(Color.Red).RoundedBorder());
        }
    }

    private void WriteNextSteps(ProviderEmulator emulator)
    {
        _console.WriteLine();
        _console.Write(new Rule("[bold]Next[/]").LeftJustified());
        _console.MarkupLine($"[grey]All of it ran offline against {Markup.Escape(emulator.BaseAddress.ToString())}. Against a real provider:[/]");
        _console.MarkupLine("  mellea chat --backend ollama --model granite3.3:8b --stream \"Why is the sky blue?\"");
        _console.MarkupLine("  OPENAI_API_KEY=… mellea chat --backend openai --json \"Say hello\"");
        _console.MarkupLine("[grey]Send these spans and metrics to Jaeger, the Aspire dashboard or a Collector:[/]");
        _console.MarkupLine("  MELLEA_TRACES_ENABLED=true MELLEA_TRACES_OTLP=true MELLEA_METRICS_ENABLED=true MELLEA_METRICS_OTLP=true \\");
        _console.MarkupLine("  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf mellea demo");
    }
}
