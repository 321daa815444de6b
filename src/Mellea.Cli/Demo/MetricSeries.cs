namespace Mellea.Cli.Demo;

/// <summary>The measurements of one instrument with one set of attributes: how many, their sum, their largest.</summary>
internal sealed class MetricSeries
{
    private readonly Lock _gate = new();
    private long _count;
    private double _sum;
    private double _max;

    public MetricSeries(string name, string? unit, string series, bool isHistogram)
    {
        Name = name;
        Unit = unit;
        Series = series;
        IsHistogram = isHistogram;
    }

    public string Name { get; }

    public string? Unit { get; }

    /// <summary>The attributes that tell this series from its siblings, as <c>key=value</c> pairs.</summary>
    public string Series { get; }

    public bool IsHistogram { get; }

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public double Sum
    {
        get
        {
            lock (_gate)
            {
                return _sum;
            }
        }
    }

    public double Max
    {
        get
        {
            lock (_gate)
            {
                return _max;
            }
        }
    }

    public void Add(double value)
    {
        lock (_gate)
        {
            _max = _count == 0 ? value : Math.Max(_max, value);
            _count++;
            _sum += value;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {{{Series}}}: count={Count} sum={Sum}";
}
