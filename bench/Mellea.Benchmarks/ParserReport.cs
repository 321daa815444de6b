using System.Globalization;
using System.Text;

namespace Mellea.Benchmarks;

/// <summary>
/// Section 5 of the report (issue 11, goal 5): the Ollama NDJSON, TGI SSE and watsonx SSE streams, each against its own reference
/// consumer through an in-memory handler. <c>--ratios parsers</c> runs these and the OpenAI stream's backend against its reference
/// alone, printed and not written, so that work on the parsers can iterate in seconds.
/// </summary>
internal static class ParserReport
{
    /// <summary>These comparisons are cheap (two or three cases of a fraction of a millisecond), so they run the close rounds.</summary>
    public static int Rounds(RatioReport.Settings settings) => settings.CloseRounds;

    public static async Task AppendAsync(StringBuilder md, List<(string Goal, string Figure, bool Met)> goals, RatioReport.Settings settings, TextWriter progress)
    {
        md.AppendLine("## 5. Other parsers against their own reference consumers (in-memory handler)").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Each backend and its reference read the same {settings.Chunks:N0}-chunk body, rendered by the emulator's own wire format; {Rounds(settings)} interleaved rounds of {settings.StreamOps} operations.").AppendLine();
        md.AppendLine("| Stream | Case | Median µs/op | Time ÷ reference | B/op (all threads) |");
        md.AppendLine("|---|---|---:|---:|---:|");
        var notes = new StringBuilder();

        using (var ollama = new OllamaComparison(settings.Chunks))
        {
            progress.WriteLine("ollama, in memory");
            var ratio = await CompareAsync(md, "Ollama NDJSON", ollama.Backend, ollama.Reference, settings, ollama.ReferenceWithUpdates);
            notes.AppendLine(CultureInfo.InvariantCulture, $"- Ollama: NDJSON `/api/chat` stream ({ollama.BodyLength:N0} B); the reference splits lines in one pooled buffer and reads each with Utf8JsonReader. \"Reference + string and update per chunk\" is the same reference allocating what every update-delivering consumer must (the text as a string and one ChatResponseUpdate per line), for information: the backend's distance to it is its own overhead.");
            goals.Add(("Ollama NDJSON: backend ≤ 1.3× its reference consumer", $"{ratio:F3}×", ratio <= 1.3));
        }

        using (var tgi = new TgiComparison(settings.Chunks))
        {
            progress.WriteLine("tgi, in memory");
            var ratio = await CompareAsync(md, "TGI SSE", tgi.Backend, tgi.Reference, settings);
            notes.AppendLine(CultureInfo.InvariantCulture, $"- TGI: `/generate_stream` SSE ({tgi.BodyLength:N0} B), read by the backend as a one-prompt raw completion whose answer streams; the reference splits events with SseParser and reads each token with Utf8JsonReader.");
            goals.Add(("TGI SSE: backend ≤ 1.3× its reference consumer", $"{ratio:F3}×", ratio <= 1.3));
        }

        using (var watsonx = new WatsonxComparison(settings.Chunks))
        {
            progress.WriteLine("watsonx, in memory");
            var ratio = await CompareAsync(md, "watsonx SSE", watsonx.Backend, watsonx.Reference, settings);
            notes.AppendLine(CultureInfo.InvariantCulture, $"- watsonx: `/ml/v1/text/chat_stream` SSE with `id:`/`event:` lines ({watsonx.BodyLength:N0} B); the reference splits events with SseParser and reads each chunk with Utf8JsonReader.");
            goals.Add(("watsonx SSE: backend ≤ 1.3× its reference consumer", $"{ratio:F3}×", ratio <= 1.3));
        }

        md.AppendLine().Append(notes).AppendLine();
    }

    /// <summary>The parser sections alone (with the OpenAI stream's backend against its reference), printed to the console.</summary>
    public static async Task<int> RunAsync()
    {
        var settings = RatioReport.Settings.Full;
        var md = new StringBuilder();
        var goals = new List<(string Goal, string Figure, bool Met)>();
        var streamBody = WireFixtures.StreamBody(settings.Chunks);
        using (var http = new HttpClient(new InMemoryHandler(streamBody, WireFixtures.ChatBody(settings.Chunks))))
        {
            var clients = new Clients(http, "http://bench.invalid/v1", TelemetryState.Listening);
            md.AppendLine("## OpenAI stream (backend and reference only)").AppendLine();
            md.AppendLine("| Stream | Case | Median µs/op | Time ÷ reference | B/op (all threads) |");
            md.AppendLine("|---|---|---:|---:|---:|");
            await CompareAsync(md, "OpenAI SSE", clients.StreamBackend, clients.StreamReference, settings);
            md.AppendLine();
        }

        await AppendAsync(md, goals, settings, Console.Out);
        foreach (var (goal, figure, met) in goals)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {goal}: {figure} {(met ? "met" : "NOT met")}");
        }

        Console.WriteLine(md);
        return 0;
    }

    private static async Task<double> CompareAsync(StringBuilder md, string stream, Func<ValueTask<long>> backend, Func<ValueTask<long>> reference, RatioReport.Settings settings, Func<ValueTask<long>>? referenceWithUpdates = null)
    {
        // Both read the same text: a backend that dropped updates would otherwise just look fast.
        var (fromBackend, fromReference) = (await backend(), await reference());
        if (fromBackend != fromReference)
        {
            throw new InvalidOperationException($"{stream}: the backend read {fromBackend} characters, the reference {fromReference}.");
        }

        List<BenchCase> cases = [new("Backend", backend), new("Reference", reference)];
        if (referenceWithUpdates is not null)
        {
            cases.Add(new("Reference + string and update per chunk", referenceWithUpdates));
        }

        var result = await Interleaved.RunAsync(cases, Rounds(settings), settings.StreamOps, warmupOps: Math.Max(1, settings.StreamOps));
        foreach (var name in result.Names)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {stream} | {name} | {result.MedianMicroseconds(name):F1} | {result.TimeRatio(name, "Reference"):F2}× | {result.BytesPerOp(name):N0} |");
        }

        return result.TimeRatio("Backend", "Reference");
    }
}
