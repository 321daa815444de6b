namespace Mellea.Reliability.Tests.Support;

/// <summary>Marker secrets and content: each must never show up where it does not belong.</summary>
internal static class Markers
{
    /// <summary>The API key every backend is configured with (watsonx exchanges it for an IAM token).</summary>
    public const string ApiKey = "sk-MARKERKEY-7f3a9c1e";

    /// <summary>The prefix of every IAM token the emulator issues to watsonx.</summary>
    public const string IamTokenPrefix = "emulated-iam-token-";

    /// <summary>Put in every prompt; with content capture off it may not appear in telemetry.</summary>
    public const string Prompt = "PROMPTMARKER-5b2e";

    /// <summary>The answer's text chunks (streamed as three updates).</summary>
    public static readonly string[] AnswerChunks = ["alpha ", "beta ", "gamma"];

    public static string Answer => string.Concat(AnswerChunks);
}
