using System.Collections.Concurrent;
using System.Text.Json;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mellea;

/// <summary>
/// Model prices read from a JSON file in LiteLLM's per-token schema (<c>model_prices_and_context_window.json</c>): an object
/// whose keys are model names (<c>gpt-4o</c>, <c>ollama/llama3</c>) and whose values carry <c>input_cost_per_token</c>,
/// <c>output_cost_per_token</c> and optionally <c>cache_read_input_token_cost</c> and <c>cache_creation_input_token_cost</c>.
/// Entries without both base prices are skipped.
/// </summary>
/// <remarks>
/// Thread-safe and immutable once built. <see cref="ComputeCost"/> never throws: a model the table does not know gives
/// <see langword="null"/> and one warning per model name for the life of the table.
/// </remarks>
public sealed class ModelPriceTable
{
    /// <summary><c>MELLEA_PRICING_ENABLED</c>: a truthy value turns the price table on.</summary>
    public const string EnabledVariable = "MELLEA_PRICING_ENABLED";

    /// <summary><c>MELLEA_PRICING_FILE</c>: the path of the price file.</summary>
    public const string FileVariable = "MELLEA_PRICING_FILE";

    private readonly Dictionary<string, ModelPrice> _prices;
    private readonly ConcurrentDictionary<string, byte> _warnedModels = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    private ModelPriceTable(Dictionary<string, ModelPrice> prices, ILogger? logger)
    {
        _prices = prices;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How many models the table prices.</summary>
    public int Count => _prices.Count;

    /// <summary>Builds a table from JSON text in LiteLLM's schema.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="logger">Receives the unknown-model warnings; none when null.</param>
    /// <returns>The table.</returns>
    /// <exception cref="JsonException">The text is not a JSON object.</exception>
    public static ModelPriceTable Parse(string json, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A price file must be a JSON object keyed by model name.");
        }

        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Object
                && ReadNumber(entry.Value, "input_cost_per_token") is { } input
                && ReadNumber(entry.Value, "output_cost_per_token") is { } output)
            {
                prices[entry.Name] = new ModelPrice(
                    input,
                    output,
                    ReadNumber(entry.Value, "cache_read_input_token_cost"),
                    ReadNumber(entry.Value, "cache_creation_input_token_cost"));
            }
        }

        return new ModelPriceTable(prices, logger);
    }

    /// <summary>Builds a table from a file in LiteLLM's schema.</summary>
    /// <param name="path">The file.</param>
    /// <param name="logger">Receives the unknown-model warnings; none when null.</param>
    /// <returns>The table.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="JsonException">The file is not a JSON object.</exception>
    public static ModelPriceTable Load(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(File.ReadAllText(path), logger);
    }

    /// <summary>
    /// The table that <c>MELLEA_PRICING_ENABLED</c> and <c>MELLEA_PRICING_FILE</c> describe, or <see langword="null"/> when
    /// pricing is off. Never throws: a missing or unreadable file is logged once as a warning and gives <see langword="null"/>.
    /// </summary>
    /// <param name="environment">Where the variables are read (tests pass <see cref="TelemetryEnvironment.FromDictionary"/>).</param>
    /// <param name="logger">Receives the warnings; none when null.</param>
    /// <returns>The table, or <see langword="null"/>.</returns>
    public static ModelPriceTable? FromEnvironment(TelemetryEnvironment environment, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        logger ??= NullLogger.Instance;
        if (!environment.IsTrue(EnabledVariable))
        {
            return null;
        }

        if (environment.Get(FileVariable) is not { } path)
        {
            logger.LogWarning("{Enabled} is set but {File} is not: no price table, so mellea.llm.cost.usd is recorded only from costs the provider reports.", EnabledVariable, FileVariable);
            return null;
        }

        try
        {
            return Load(path, logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or ArgumentException)
        {
            logger.LogWarning(ex, "The price file named by {File} could not be read ({Path}); mellea.llm.cost.usd is recorded only from costs the provider reports.", FileVariable, path);
            return null;
        }
    }

    /// <summary>
    /// Finds the price of a model: its exact name, then <c>{provider}/{model}</c> (with LiteLLM's provider prefixes), then the
    /// name after its last <c>/</c>. Matching ignores case.
    /// </summary>
    /// <param name="model">The model name.</param>
    /// <param name="providerName">The <c>gen_ai.provider.name</c>, if known.</param>
    /// <param name="price">The price.</param>
    /// <returns>Whether the table prices the model.</returns>
    public bool TryGetPrice(string model, string? providerName, out ModelPrice price)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_prices.TryGetValue(model, out price!))
        {
            return true;
        }

        if (providerName is not null)
        {
            if (_prices.TryGetValue($"{ToLiteLlmProvider(providerName)}/{model}", out price!))
            {
                return true;
            }
        }

        var slash = model.LastIndexOf('/');
        return slash >= 0 && slash < model.Length - 1 && _prices.TryGetValue(model[(slash + 1)..], out price!);
    }

    /// <summary>
    /// The cost of one call, priced by the answering model (<paramref name="responseModel"/>) or else the requested one.
    /// Returns <see langword="null"/>, and warns once per model name, when neither is in the table. Never throws.
    /// </summary>
    /// <param name="requestModel">The requested model.</param>
    /// <param name="responseModel">The model that answered.</param>
    /// <param name="providerName">The <c>gen_ai.provider.name</c>.</param>
    /// <param name="usage">The token counts.</param>
    /// <returns>The cost in US dollars, or <see langword="null"/>.</returns>
    public double? ComputeCost(string? requestModel, string? responseModel, string? providerName, UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (responseModel is not null && TryGetPrice(responseModel, providerName, out var price))
        {
            return price.ComputeCost(usage);
        }

        if (requestModel is not null && TryGetPrice(requestModel, providerName, out price))
        {
            return price.ComputeCost(usage);
        }

        var unknown = responseModel ?? requestModel ?? "(none)";
        if (_warnedModels.TryAdd(unknown, 0))
        {
            _logger.LogWarning("The price table has no entry for model {Model}; mellea.llm.cost.usd is not recorded for it. Add it to the file named by {File}.", unknown, FileVariable);
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"ModelPriceTable({Count} model(s))";

    private static double? ReadNumber(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) ? number : null;

    // OTel provider names differ from the prefixes LiteLLM's keys use.
    private static string ToLiteLlmProvider(string providerName) => providerName switch
    {
        "ibm.watsonx.ai" => "watsonx",
        "gcp.vertex_ai" => "vertex_ai",
        "gcp.gemini" => "gemini",
        "aws.bedrock" => "bedrock",
        "azure.ai.openai" => "azure",
        "azure.ai.inference" => "azure_ai",
        _ => providerName,
    };
}
