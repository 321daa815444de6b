namespace Mellea.Testing;

/// <summary>
/// One provider's wire format in the <see cref="ProviderEmulator"/>: which requests it answers, and how it renders an
/// <see cref="EmulatorScript"/> as a whole body, as stream frames, as an error body and as a mid-stream error event.
/// </summary>
/// <remarks>
/// <para>To add a provider (Ollama NDJSON, TGI, watsonx), derive from this class, implement the render methods, and pass an
/// instance to <see cref="ProviderEmulator.StartAsync(EmulatorWireFormat[])"/>. The emulator does the rest for every format:
/// recording requests, the first-byte delay, writing frames with the chunk delay, dropping the connection, injecting the error
/// event after N frames, malformed JSON, and replaying recorded fixtures.</para>
/// <para>A frame is the exact text of one stream unit, terminator included (<c>"data: {…}\n\n"</c> for SSE, <c>"{…}\n"</c> for NDJSON).</para>
/// </remarks>
public abstract class EmulatorWireFormat
{
    /// <summary>The format's name, for messages (<c>openai</c>, <c>litellm</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The content type of a streamed response.</summary>
    public virtual string StreamContentType => "text/event-stream; charset=utf-8";

    /// <summary>Whether this format answers <paramref name="request"/> (usually by path).</summary>
    /// <param name="request">The request.</param>
    public abstract bool Handles(RecordedRequest request);

    /// <summary>Whether <paramref name="request"/> asks for a stream. By default, a JSON body with <c>"stream": true</c>.</summary>
    /// <param name="request">The request.</param>
    public virtual bool IsStreamingRequest(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.AsksForStream;
    }

    /// <summary>Renders the whole answer.</summary>
    /// <param name="script">The script.</param>
    /// <param name="request">The request.</param>
    public abstract EmulatorResponse RenderResponse(EmulatorScript script, RecordedRequest request);

    /// <summary>Renders the answer as stream frames, end marker included.</summary>
    /// <param name="script">The script.</param>
    /// <param name="request">The request.</param>
    public abstract IReadOnlyList<string> RenderStream(EmulatorScript script, RecordedRequest request);

    /// <summary>Renders an error status answer (<see cref="EmulatorFaultKind.Status"/>); the emulator adds <c>Retry-After</c>.</summary>
    /// <param name="fault">The fault.</param>
    /// <param name="request">The request.</param>
    public abstract EmulatorResponse RenderError(EmulatorFault fault, RecordedRequest request);

    /// <summary>Renders the error event a stream carries when the provider fails mid-way (<see cref="EmulatorFaultKind.ErrorEvent"/>).</summary>
    /// <param name="fault">The fault.</param>
    public abstract string RenderErrorEvent(EmulatorFault fault);

    /// <summary>Renders a stream frame whose JSON is cut off.</summary>
    public virtual string RenderMalformedFrame() => "data: {\"id\": \"broken\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"unterminat\n\n";

    /// <summary>Renders a whole body whose JSON is cut off.</summary>
    public virtual string RenderMalformedBody() => "{\"id\": \"broken\", \"choices\": [{\"index\": 0, \"message\": {\"content\": \"unterminat";

    /// <summary>Adds the headers this provider sends on every answer (LiteLLM's <c>x-litellm-*</c>). Script headers are added after and win.</summary>
    /// <param name="script">The script.</param>
    /// <param name="headers">The headers to fill.</param>
    public virtual void AddResponseHeaders(EmulatorScript script, IDictionary<string, string> headers)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} wire format";
}
