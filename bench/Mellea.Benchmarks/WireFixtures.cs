using System.Text;
using Mellea.Testing;

namespace Mellea.Benchmarks;

/// <summary>
/// The bytes every client reads, rendered once by the emulator's own OpenAI wire format, so the in-memory runs and the
/// loopback runs serve identical bodies.
/// </summary>
internal static class WireFixtures
{
    public const string Model = "gpt-4o-mini";

    /// <summary>The request body the reference consumers post (the real clients serialize their own).</summary>
    public static readonly byte[] StreamRequestBody = Encoding.UTF8.GetBytes(
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something long.\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

    /// <summary>The non-streaming request body the reference consumers post.</summary>
    public static readonly byte[] ChatRequestBody = Encoding.UTF8.GetBytes(
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something long.\"}]}");

    /// <summary>A script of <paramref name="chunks"/> text chunks with usage, like a real completion.</summary>
    public static EmulatorScript Script(int chunks)
    {
        var parts = new string[chunks];
        for (var i = 0; i < chunks; i++)
        {
            parts[i] = (i % 4) switch { 0 => " the", 1 => " quick", 2 => " brown", _ => " fox" };
        }

        return EmulatorScript.Text(parts).WithUsage(24, chunks).WithIdentity("chatcmpl-bench", Model + "-2024-07-18");
    }

    /// <summary>The SSE body of a <paramref name="chunks"/>-chunk stream (plus the finish, usage and [DONE] events).</summary>
    public static byte[] StreamBody(int chunks)
    {
        var request = Recorded(StreamRequestBody);
        var frames = new OpenAIWireFormat().RenderStream(Script(chunks), request);
        return Encoding.UTF8.GetBytes(string.Concat(frames));
    }

    /// <summary>The JSON body of a whole chat completion whose text is <paramref name="chunks"/> words.</summary>
    public static byte[] ChatBody(int chunks)
    {
        var request = Recorded(ChatRequestBody);
        return Encoding.UTF8.GetBytes(new OpenAIWireFormat().RenderResponse(Script(chunks), request).Body);
    }

    private static RecordedRequest Recorded(byte[] body) =>
        new("POST", "/v1/chat/completions", string.Empty, new Dictionary<string, string>(), body);
}
