namespace Mellea.Cli.Configuration;

/// <summary>The settings cannot make a call: a missing model, an unreadable config file, an unknown backend name.</summary>
/// <remarks>The message is the whole stderr line after <c>config: </c>, with what to do; it never holds a setting's value.</remarks>
internal sealed class CliConfigurationException : Exception
{
    public CliConfigurationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
