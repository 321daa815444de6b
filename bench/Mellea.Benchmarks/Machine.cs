using System.Runtime.InteropServices;

namespace Mellea.Benchmarks;

/// <summary>Describes the machine a result came from: cores, CPU model, memory, runtime.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpu = ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadField("/proc/meminfo", "MemTotal") is { } kb && long.TryParse(kb.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var total)
            ? $"{total / 1024.0 / 1024.0:F1} GiB"
            : "unknown";
        return $"{Environment.ProcessorCount} cores (nproc) · {cpu} · {memory} RAM · {RuntimeInformation.FrameworkDescription} · {RuntimeInformation.OSDescription} · Release, workstation non-concurrent GC";
    }

    private static string? ReadField(string path, string name)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(name, StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
