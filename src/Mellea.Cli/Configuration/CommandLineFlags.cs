namespace Mellea.Cli.Configuration;

/// <summary>The values given on the command line, before the config file and the environment fill the gaps.</summary>
internal sealed class CommandLineFlags
{
    public string? Backend { get; init; }

    public string? Model { get; init; }

    public string? BaseUrl { get; init; }

    public string? System { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? MaxTokens { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public long? Seed { get; init; }

    public bool Stream { get; init; }

    public int? Retries { get; init; }

    public string? ConversationId { get; init; }

    public bool Json { get; init; }

    public bool Verbose { get; init; }

    public string? ConfigPath { get; init; }

    public IReadOnlyList<string> Prompts { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString() => $"flags(backend={Backend}, model={Model}, {Prompts.Count} prompt(s))";
}
