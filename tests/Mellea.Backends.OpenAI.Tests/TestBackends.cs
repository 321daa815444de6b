using Mellea.Backends.Http;
using Mellea.Backends.LiteLlm;
using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Backends wired to an emulator, with environments read from dictionaries (never the process environment).</summary>
internal static class TestBackends
{
    public const string ApiKey = "sk-test-MARKER-123";

    public static Func<string, string?> Environment(params (string Name, string? Value)[] variables) =>
        ProviderEnvironment.FromDictionary(variables.ToDictionary(v => v.Name, v => v.Value));

    public static OpenAIBackend OpenAI(ProviderEmulator emulator, HttpClient client, string? model = "gpt-test", Action<OpenAIBackendOptions>? configure = null)
    {
        var options = new OpenAIBackendOptions { Model = model };
        configure?.Invoke(options);
        return new OpenAIBackend(client, options, Environment(("OPENAI_API_KEY", ApiKey), ("OPENAI_BASE_URL", emulator.OpenAIBaseUrl)));
    }

    public static LiteLlmBackend LiteLlm(ProviderEmulator emulator, HttpClient client, string? model = "my-group", string? key = ApiKey) =>
        new(client, new LiteLlmBackendOptions { Model = model }, Environment(("LITELLM_API_KEY", key), ("LITELLM_BASE_URL", emulator.BaseAddress.AbsoluteUri)));

    public static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream.WithCancellation(TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    public static string Text(IEnumerable<ChatResponseUpdate> updates, int choice = 0) =>
        string.Concat(updates.Where(u => u.ChoiceIndex == choice && u.Metadata is null).Select(u => u.TextDelta));

    /// <summary>Assembles streamed tool-call fragments by index, as a consumer would.</summary>
    public static List<(string? Id, string? Name, string Arguments)> ToolCalls(IEnumerable<ChatResponseUpdate> updates, int choice = 0)
    {
        var calls = new SortedDictionary<int, (string? Id, string? Name, string Arguments)>();
        foreach (var delta in updates.Where(u => u.ChoiceIndex == choice && u.ToolCallDeltas is not null).SelectMany(u => u.ToolCallDeltas!))
        {
            calls.TryGetValue(delta.Index, out var call);
            calls[delta.Index] = (call.Id ?? delta.CallId, call.Name ?? delta.Name, (call.Arguments ?? string.Empty) + delta.ArgumentsDelta);
        }

        return [.. calls.Values];
    }
}
