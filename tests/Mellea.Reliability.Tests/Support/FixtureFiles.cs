using Mellea.Testing;

namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// The real provider payloads in shared/fixtures (located by <see cref="SharedFixtures"/>), read in place and never copied or edited.
/// Requests, headers, recorded exchanges and snapshots are not answers and are left out.
/// </summary>
internal static class FixtureFiles
{
    public static IReadOnlyList<(BackendKind Backend, Operation Operation, string Path)> Payloads()
    {
        var payloads = new List<(BackendKind, Operation, string)>();
        foreach (var (folder, backend) in new[] { ("openai", BackendKind.OpenAI), ("litellm", BackendKind.LiteLlm), ("ollama", BackendKind.Ollama), ("huggingface", BackendKind.HuggingFace), ("watsonx", BackendKind.Watsonx) })
        {
            if (SharedFixtures.ProviderDirectory(folder) is not { } directory)
            {
                continue;
            }

            foreach (var name in SharedFixtures.Names(folder))
            {
                var path = Path.Combine(directory, name);
                if (name.Contains(".request.", StringComparison.Ordinal) || name.Contains("response_headers", StringComparison.Ordinal)
                    || name.EndsWith(".exchange.json", StringComparison.Ordinal) || name.EndsWith(".snapshot.json", StringComparison.Ordinal)
                    || name.EndsWith(".txt", StringComparison.Ordinal) || name.EndsWith(".form", StringComparison.Ordinal) || name.StartsWith("iam_", StringComparison.Ordinal))
                {
                    continue;
                }

                payloads.Add((backend, OperationFor(name), path));
            }
        }

        return payloads;
    }

    private static Operation OperationFor(string name) =>
        name.EndsWith(".sse", StringComparison.Ordinal) || name.EndsWith(".ndjson", StringComparison.Ordinal) ? Operation.Stream
        : name.Contains("completions", StringComparison.Ordinal) || name.Contains("generat", StringComparison.Ordinal) ? Operation.RawBatch
        : Operation.Chat;
}
