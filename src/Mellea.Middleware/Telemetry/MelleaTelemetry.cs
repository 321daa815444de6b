using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Mellea;

/// <summary>
/// The stable names of Mellea's telemetry sources, and the process-wide <see cref="ActivitySource"/>s and
/// <see cref="Meter"/> that the middlewares emit through. Subscribe with <c>AddMelleaInstrumentation()</c> on the
/// OpenTelemetry builders, or with <c>AddSource</c>/<c>AddMeter</c> and these names.
/// </summary>
/// <remarks>
/// The names match Python Mellea's, so one dashboard serves both. Each source is versioned with this assembly.
/// These three objects are the only process-wide state in Mellea.
/// </remarks>
public static class MelleaTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> of generation spans (<c>chat {model}</c>, <c>text_completion {model}</c>).</summary>
    public const string GenerationSourceName = "mellea.backend";

    /// <summary>The <see cref="ActivitySource"/> of application spans (sessions, actions, tool runs, tool loops).</summary>
    public const string ApplicationSourceName = "mellea.application";

    /// <summary>The <see cref="Meter"/> of every Mellea metric.</summary>
    public const string MeterName = "mellea.metrics";

    /// <summary>The version of these sources: this assembly's informational version.</summary>
    public static string Version { get; } =
        typeof(MelleaTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(MelleaTelemetry).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    /// <summary>The source of generation spans.</summary>
    public static ActivitySource GenerationSource { get; } = new(GenerationSourceName, Version);

    /// <summary>The source of application and tool spans.</summary>
    public static ActivitySource ApplicationSource { get; } = new(ApplicationSourceName, Version);

    /// <summary>The meter every Mellea metric is created on, unless a middleware is given an <see cref="IMeterFactory"/>.</summary>
    public static Meter Meter { get; } = new(MeterName, Version);
}
