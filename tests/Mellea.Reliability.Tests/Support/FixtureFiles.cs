namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// The real provider payloads in shared/fixtures (found next to the repository root, the folder holding Mellea.sln), read
/// in place and never copied or edited. Requests, headers, recorded exchanges and snapshots are not answers and are left out.
/// </summary>
internal static class FixtureFiles
{
    public static string? Root { get; } = FindRoot();

    public static IReadOnlyList<(BackendKind Backend, Operation Operation, string Path)> Payloads()
    {
        if (Root is null)
        {
            return [];
        }

        var payloads = new List<(BackendKind, Operation, string)>();
        foreach (var (folder, backend) in new[] { ("openai", BackendKind.OpenAI), ("litellm", BackendKind.LiteLlm), ("ollama", BackendKind.Ollama), ("huggingface", BackendKind.HuggingFace), ("watsonx", BackendKind.Watsonx) })
        {
            var directory = Path.Combine(Root, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var path in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
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

    private static string? FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mellea.sln")))
            {
                var fixtures = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "fixtures"));
                return Directory.Exists(fixtures) ? fixtures : null;
            }
        }

        return null;
    }
}
