using Mellea.Testing;

namespace Mellea.Cli.Demo;

/// <summary>
/// What the emulator answers in the demo, step by step. Kept apart from the rendering so the story can be read in one place.
/// </summary>
internal static class DemoScenario
{
    public const string Model = "gpt-4o-mini";

    /// <summary>A key the emulator accepts; it is a placeholder, not a secret, and never leaves loopback.</summary>
    public const string PlaceholderKey = "sk-demo-placeholder";

    public const string ChatPrompt = "Say hello in French.";

    public const string StreamPrompt = "Write a haiku about tracing.";

    public const string ToolPrompt = "What is the weather in Paris?";

    public const string RetryPrompt = "Are you there?";

    public const string FailingPrompt = "This call is refused.";

    public static IReadOnlyList<string> RawPrompts { get; } = ["1 + 1 =", "The capital of France is", "Roses are red,"];

    /// <summary>The delay between streamed tokens: slow enough to watch, fast enough not to bore.</summary>
    public static TimeSpan TokenDelay { get; } = TimeSpan.FromMilliseconds(45);

    /// <summary>How long the throttled step's 429 asks the client to wait (<c>retry-after-ms</c>, which the retry middleware honours).</summary>
    public static TimeSpan RetryAfter { get; } = TimeSpan.FromMilliseconds(250);

    public static EmulatorScript Chat() =>
        EmulatorScript.Text("Bonjour ! ", "Je suis ", "un émulateur local.").WithUsage(14, 9).WithIdentity("chatcmpl-demo-chat", "gpt-4o-mini-2024-07-18");

    public static EmulatorScript Stream() =>
        EmulatorScript.Text("Spans ", "nest ", "like ", "leaves —", "\n", "one ", "call, ", "one ", "trace, ", "one ", "story,", "\n", "metrics ", "count ", "the ", "rain.")
            .WithUsage(15, 19)
            .WithIdentity("chatcmpl-demo-stream", "gpt-4o-mini-2024-07-18")
            .WithChunkDelay(TokenDelay);

    public static EmulatorScript RawBatch() =>
        EmulatorScript.MultipleChoices(" 2", " Paris.", " violets are blue.").WithUsage(16, 7).WithIdentity("cmpl-demo-raw", "gpt-4o-mini-2024-07-18");

    public static EmulatorScript ToolCall() =>
        EmulatorScript.ToolCall("call_weather_1", "get_weather", "{\"city\":", "\"Paris\"}").WithUsage(48, 12).WithIdentity("chatcmpl-demo-tool-1", "gpt-4o-mini-2024-07-18");

    public static EmulatorScript ToolAnswer() =>
        EmulatorScript.Text("It is 18 °C and sunny in Paris.").WithUsage(71, 11).WithIdentity("chatcmpl-demo-tool-2", "gpt-4o-mini-2024-07-18");

    public static EmulatorScript Throttled() =>
        EmulatorScript.Failing(EmulatorFault.Status(429, message: "Rate limit reached for gpt-4o-mini on requests per min (RPM).", code: "rate_limit_exceeded"))
            .WithHeader("retry-after-ms", ((int)RetryAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static EmulatorScript AfterThrottle() =>
        EmulatorScript.Text("Yes, ", "after one retry.").WithUsage(10, 5).WithIdentity("chatcmpl-demo-retry", "gpt-4o-mini-2024-07-18");

    public static EmulatorScript Refused() =>
        EmulatorScript.Failing(EmulatorFault.Status(401, message: "Incorrect API key provided.", code: "invalid_api_key"));

    /// <summary>The demo's tool: what a real application would look up.</summary>
    /// <param name="city">The city the model asked about.</param>
    public static string GetWeather(string city) => $"18 °C and sunny in {city}";
}
