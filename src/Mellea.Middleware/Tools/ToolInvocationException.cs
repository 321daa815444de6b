namespace Mellea;

/// <summary>The tool loop stopped: the model kept asking for tools beyond <see cref="ToolInvocationOptions.MaximumIterations"/>.</summary>
public sealed class ToolInvocationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolInvocationException()
        : this("The tool loop stopped.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    public ToolInvocationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public ToolInvocationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How many tool rounds ran before the loop stopped.</summary>
    public int Iterations { get; init; }
}
