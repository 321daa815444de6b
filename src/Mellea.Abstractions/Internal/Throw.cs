using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Mellea.Internal;

/// <summary>Argument guards. The throw sites are separate methods so that callers stay small.</summary>
internal static class Throw
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T IfNull<T>([NotNull] T? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
        where T : class
    {
        if (argument is null)
        {
            ArgumentNull(paramName);
        }

        return argument;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string IfNullOrWhiteSpace([NotNull] string? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            NullOrWhiteSpace(argument, paramName);
        }

        return argument;
    }

    [DoesNotReturn]
    public static void ArgumentNull(string? paramName) => throw new ArgumentNullException(paramName);

    [DoesNotReturn]
    public static void NullOrWhiteSpace(string? argument, string? paramName)
    {
        if (argument is null)
        {
            throw new ArgumentNullException(paramName);
        }

        throw new ArgumentException("The value must not be empty or white space.", paramName);
    }

    [DoesNotReturn]
    public static void Argument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void OutOfRange(string paramName, object? actual, string message) =>
        throw new ArgumentOutOfRangeException(paramName, actual, message);
}
