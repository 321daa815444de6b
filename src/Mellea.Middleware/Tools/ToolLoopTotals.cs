namespace Mellea.Tools;

/// <summary>
/// What a whole tool loop used: the usage and the reported cost of every model turn. The loop's answer carries the last turn's
/// metadata with these totals, so an observer outside the loop (tracing, metrics) records what the whole call cost.
/// </summary>
internal sealed class ToolLoopTotals
{
    private UsageDetails? _usage;
    private double? _cost;

    public int Turns { get; private set; }

    public UsageDetails? Usage => _usage;

    public void Add(GenerationMetadata? turn)
    {
        Turns++;
        if (turn?.Usage is { } usage)
        {
            (_usage ??= new UsageDetails()).Add(usage);
        }

        if (turn?.ReportedCostUsd is { } cost)
        {
            _cost = (_cost ?? 0) + cost;
        }
    }

    /// <summary>The last turn's metadata with the totals, or <paramref name="last"/> itself after a single turn. The backend's instance is never changed.</summary>
    public GenerationMetadata Apply(GenerationMetadata last) => Turns <= 1 ? last : new()
    {
        ProviderName = last.ProviderName,
        RequestModel = last.RequestModel,
        ResponseModel = last.ResponseModel,
        ResponseId = last.ResponseId,
        FinishReasons = last.FinishReasons,
        Usage = _usage ?? last.Usage,
        ServerAddress = last.ServerAddress,
        ServerPort = last.ServerPort,
        Streamed = last.Streamed,
        TimeToFirstChunk = last.TimeToFirstChunk,
        ReportedCostUsd = _cost ?? last.ReportedCostUsd,
        ProviderRequestId = last.ProviderRequestId,
        ProviderExtras = last.ProviderExtras,
    };
}
