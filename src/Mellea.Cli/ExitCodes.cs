namespace Mellea.Cli;

/// <summary>The process exit codes, documented in <c>mellea --help</c> and the README.</summary>
internal static class ExitCodes
{
    /// <summary>The call succeeded.</summary>
    public const int Success = 0;

    /// <summary>The call failed (the provider, the network, or the credentials); stderr names the category.</summary>
    public const int CallFailed = 1;

    /// <summary>The command line is wrong (an unknown flag, a value that does not parse).</summary>
    public const int Usage = 2;

    /// <summary>The settings are wrong (a missing model, an unreadable config file, a bad base URL).</summary>
    public const int Configuration = 3;

    /// <summary>The user interrupted the call (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
