using Microsoft.Extensions.Logging;

namespace Mellea.Telemetry.Bootstrap;

/// <summary>
/// Where configuration warnings go: the application's logger when it gave one, else standard error, because an app that
/// lets Mellea set up telemetry from the environment often has no logging yet and a lost warning is a silent failure.
/// </summary>
internal static class TelemetryWarningSink
{
    public const string LoggerCategory = "Mellea.Telemetry";

    public static void Write(IReadOnlyList<string> warnings, ILoggerFactory? loggerFactory)
    {
        if (warnings.Count == 0)
        {
            return;
        }

        try
        {
            var logger = loggerFactory?.CreateLogger(LoggerCategory);
            foreach (var warning in warnings)
            {
                if (logger is not null)
                {
                    logger.LogWarning("{MelleaTelemetryWarning}", warning);
                }
                else
                {
                    Console.Error.WriteLine($"warning: mellea telemetry: {warning}");
                }
            }
        }
        catch (Exception)
        {
            // A broken logger must not stop the application from starting; the warnings are advisory.
        }
    }
}
