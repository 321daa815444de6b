using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mellea.Testing;

/// <summary>
/// IBM Cloud IAM's token endpoint (<c>POST /identity/token</c>, form <c>grant_type=urn:ibm:params:oauth:grant-type:apikey&amp;apikey=…</c>):
/// each answer issues a new token (<c>emulated-iam-token-1</c>, <c>-2</c>, …) with <c>expires_in</c> and an <c>expiration</c> measured on
/// <see cref="TimeProvider"/>, so a test with a fake clock decides when tokens expire. Errors have IAM's own shape
/// (<c>{"errorCode","errorMessage","context":{"requestId"}}</c>), with status 400 for a key IAM does not know.
/// </summary>
/// <remarks>Start it in an emulator of its own, with <see cref="ProviderEmulator.DefaultScript"/> set, and point <c>WATSONX_IAM_URL</c> at
/// <see cref="TokenUrl"/>: token requests then never take the scripts queued for watsonx.ai.</remarks>
public sealed class WatsonxIamWireFormat : EmulatorWireFormat
{
    private readonly ConcurrentQueue<string> _issued = new();
    private int _counter;

    /// <summary>Creates the format.</summary>
    /// <param name="timeProvider">The clock <c>expiration</c> is computed on; the system clock when null.</param>
    /// <param name="tokenLifetime">The lifetime of each token; one hour (IAM's) when null.</param>
    public WatsonxIamWireFormat(TimeProvider? timeProvider = null, TimeSpan? tokenLifetime = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        TokenLifetime = tokenLifetime ?? TimeSpan.FromHours(1);
    }

    /// <summary>The clock <c>expiration</c> is computed on.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The lifetime of each token.</summary>
    public TimeSpan TokenLifetime { get; }

    /// <summary>The tokens issued so far, in order.</summary>
    public IReadOnlyList<string> IssuedTokens => [.. _issued];

    /// <inheritdoc/>
    public override string Name => "ibm-iam";

    /// <summary>The token URL of an emulator running this format.</summary>
    /// <param name="emulator">The emulator.</param>
    public static string TokenUrl(ProviderEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return new Uri(emulator.BaseAddress, "identity/token").AbsoluteUri;
    }

    /// <inheritdoc/>
    public override bool Handles(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method == "POST" && request.Path == "/identity/token";
    }

    /// <summary>Token requests never stream.</summary>
    /// <param name="request">The request.</param>
    public override bool IsStreamingRequest(RecordedRequest request) => false;

    /// <inheritdoc/>
    public override EmulatorResponse RenderResponse(EmulatorScript script, RecordedRequest request)
    {
        var token = "emulated-iam-token-" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
        _issued.Enqueue(token);
        var expiration = TimeProvider.GetUtcNow() + TokenLifetime;
        return new EmulatorResponse(200, Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("access_token", token);
            writer.WriteString("refresh_token", "not_supported");
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_in", (long)TokenLifetime.TotalSeconds);
            writer.WriteNumber("expiration", expiration.ToUnixTimeSeconds());
            writer.WriteString("scope", "ibm openid");
            writer.WriteEndObject();
        }));
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> RenderStream(EmulatorScript script, RecordedRequest request) => [RenderResponse(script, request).Body];

    /// <inheritdoc/>
    public override EmulatorResponse RenderError(EmulatorFault fault, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return new EmulatorResponse(fault.StatusCode, ErrorBody(fault));
    }

    /// <inheritdoc/>
    public override string RenderErrorEvent(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return ErrorBody(fault);
    }

    private static string ErrorBody(EmulatorFault fault) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("errorCode", fault.Code ?? "BXNIM0415E");
        writer.WriteString("errorMessage", fault.Message ?? "Provided API key could not be found.");
        writer.WriteStartObject("context");
        writer.WriteString("requestId", "emulated-iam-request-" + fault.StatusCode.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("requestType", "incoming.Identity_Token");
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
