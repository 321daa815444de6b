using System.Net.Sockets;
using Mellea.Cli.Configuration;

namespace Mellea.Cli.Output;

/// <summary>
/// Turns a failure into the one stderr line a user reads: the category, what happened, and what to do
/// (<c>auth: watsonx answered HTTP 401: check WATSONX_API_KEY</c>). The category is the same word the spans and metrics
/// carry in <c>mellea.error.category</c>, so a line and a trace can be matched.
/// </summary>
/// <remarks>Messages come from <see cref="GenerationException"/>s, which never hold secrets; settings are named, never quoted.</remarks>
internal static class FailureLine
{
    /// <summary>Describes <paramref name="exception"/>.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="settings">The call's settings, for advice that names the right variable; null before they were resolved.</param>
    /// <param name="retries">The retries the call took.</param>
    /// <returns>The line, and the exit code.</returns>
    public static (string Line, int ExitCode) Describe(Exception exception, CallSettings? settings, int retries)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            CliConfigurationException config => ($"config: {config.Message}", ExitCodes.Configuration),
            GenerationException generation => (DescribeGeneration(generation, settings, retries), ExitCodes.CallFailed),
            OperationCanceledException => ("cancelled: the call was interrupted before it finished", ExitCodes.Cancelled),
            ArgumentException argument => ($"config: {FirstSentence(argument.Message)}: check --model, --base-url and the backend's variables", ExitCodes.Configuration),
            _ => ($"unknown: {exception.GetType().Name}: {FirstSentence(exception.Message)}: run again with --verbose for the stack trace", ExitCodes.CallFailed),
        };
    }

    private static string DescribeGeneration(GenerationException exception, CallSettings? settings, int retries)
    {
        var category = exception.Category.ToWireName();
        var provider = exception.ProviderName ?? settings?.Backend.Name ?? "the provider";
        var status = exception.StatusCode is { } code ? $" (HTTP {code})" : string.Empty;
        var attempts = retries > 0 ? $" after {retries + 1} attempts" : string.Empty;
        var keyVariable = settings?.Backend.KeyVariable ?? "the provider's API key variable";
        return exception.Category switch
        {
            ErrorCategory.Auth => exception.StatusCode is null
                ? $"{category}: {FirstSentence(exception.Message)}: check {keyVariable}"
                : $"{category}: {provider} rejected the credentials{status}: check {keyVariable}",
            ErrorCategory.RateLimit =>
                $"{category}: {provider} is rate-limiting requests{status}{attempts}: wait a minute and try again, or raise --retries",
            ErrorCategory.TransportError when IsConnectionRefused(exception) =>
                $"{category}: nothing is listening at {settings?.EffectiveBaseUrl ?? provider}: {settings?.Backend.StartAdvice ?? "check --base-url"}",
            ErrorCategory.TransportError =>
                $"{category}: {FirstSentence(exception.Message)}{attempts}: check the network and --base-url",
            ErrorCategory.Timeout =>
                $"{category}: {provider} did not answer in time{attempts}: try again, or ask for fewer tokens with --max-tokens",
            ErrorCategory.ServerError =>
                $"{category}: {provider} failed{status}{attempts}: try again later",
            ErrorCategory.InvalidRequest =>
                $"{category}: {provider} rejected the request{status}: {FirstSentence(exception.Message)}: check --model and the options",
            ErrorCategory.ContentPolicy =>
                $"{category}: {provider} refused the prompt or the answer{status}: rephrase the prompt",
            _ => $"{category}: {FirstSentence(exception.Message)}{status}: run again with --verbose for details",
        };
    }

    private static bool IsConnectionRefused(Exception exception)
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                || current is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } && current.InnerException is null or SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    private static string FirstSentence(string message)
    {
        // Provider messages can run to paragraphs; the line keeps the first sentence, without its full stop, so the advice
        // that follows reads as one line.
        var line = message.ReplaceLineEndings(" ").Trim();
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        var sentence = end > 0 ? line[..end] : line;
        return sentence.TrimEnd('.', ' ');
    }
}
