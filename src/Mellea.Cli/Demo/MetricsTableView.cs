using System.Globalization;
using Spectre.Console;

namespace Mellea.Cli.Demo;

/// <summary>Renders the Mellea metrics the demo recorded as one table: instrument, series, count, sum and largest value.</summary>
internal static class MetricsTableView
{
    /// <summary>Builds the table.</summary>
    /// <param name="metrics">The series.</param>
    public static Table Build(IReadOnlyList<MetricSeries> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title("[bold]Metrics[/] [grey](meter mellea.metrics, every measurement of the run)[/]")
            .AddColumn("Instrument")
            .AddColumn("Unit")
            .AddColumn("Series")
            .AddColumn(new TableColumn("Count").RightAligned())
            .AddColumn(new TableColumn("Sum").RightAligned())
            .AddColumn(new TableColumn("Max").RightAligned());
        foreach (var series in metrics)
        {
            table.AddRow(
                $"[deepskyblue1]{Markup.Escape(series.Name)}[/]",
                Markup.Escape(series.Unit ?? string.Empty),
                $"[grey]{Markup.Escape(series.Series.Length == 0 ? "(all)" : series.Series)}[/]",
                series.Count.ToString(CultureInfo.InvariantCulture),
                Format(series.Sum, series.Unit),
                series.IsHistogram ? Format(series.Max, series.Unit) : string.Empty);
        }

        return table;
    }

    private static string Format(double value, string? unit) =>
        unit == MelleaMetrics.SecondsUnit ? value.ToString("0.000", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
}
