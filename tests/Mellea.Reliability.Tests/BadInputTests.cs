using Mellea.Reliability.Tests.Support;

namespace Mellea.Reliability.Tests;

/// <summary>Invalid requests fail fast, before any HTTP call, with an ArgumentException-family error that names the field, on every backend.</summary>
public sealed class BadInputTests
{
    public static TheoryData<BackendKind, string> Cases
    {
        get
        {
            var cases = new TheoryData<BackendKind, string>();
            foreach (var backend in Enum.GetValues<BackendKind>())
            {
                foreach (var input in Inputs.Keys)
                {
                    cases.Add(backend, input);
                }
            }

            return cases;
        }
    }

    /// <summary>Each bad input: the call that makes it, and the field the error must name.</summary>
    private static Dictionary<string, (Func<IGenerationHandler, CancellationToken, Task> Call, string Field)> Inputs { get; } = new()
    {
        ["no messages"] = ((h, t) => h.ChatAsync(new ChatRequest([]), t).AsTask(), "Messages"),
        ["negative max tokens"] = ((h, t) => h.ChatAsync(new ChatRequest("hi", new GenerationOptions { MaxOutputTokens = -5 }), t).AsTask(), "MaxOutputTokens"),
        ["temperature out of range"] = ((h, t) => h.ChatAsync(new ChatRequest("hi", new GenerationOptions { Temperature = 7.5 }), t).AsTask(), "Temperature"),
        ["unknown role"] = ((h, t) => h.ChatAsync(new ChatRequest([new ChatMessage((ChatRole)42, "hi")]), t).AsTask(), "Role"),
        ["tool without a name"] = ((h, t) => h.ChatAsync(new ChatRequest("hi", new GenerationOptions { Tools = [new ToolDefinition(" ")] }), t).AsTask(), "Name"),
        ["stream with no messages"] = ((h, t) => Drain(h.StreamChatAsync(new ChatRequest([]), t), t), "Messages"),
        ["null prompt in a batch"] = ((h, t) => h.CompleteRawAsync(new RawCompletionRequest(["ok", null!]), t).AsTask(), "Prompts[1]"),
        ["empty prompt in a batch"] = ((h, t) => h.CompleteRawAsync(new RawCompletionRequest(["ok", string.Empty]), t).AsTask(), "Prompts[1]"),
        ["empty batch"] = ((h, t) => h.CompleteRawAsync(new RawCompletionRequest([]), t).AsTask(), "Prompts"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_invalid_request_fails_with_an_argument_error_naming_the_field_before_any_http_call(BackendKind backend, string input)
    {
        await using var rig = await Rig.StartAsync(backend);
        var (call, field) = Inputs[input];

        var failure = await Record.ExceptionAsync(() => BuildFailure(call, rig.Backend));

        failure.Should().BeAssignableTo<ArgumentException>($"{input} is the caller's mistake");
        (((ArgumentException)failure!).ParamName + " " + failure.Message).Should().Contain(field);
        rig.Emulator.Requests.Should().BeEmpty("validation runs before any HTTP call");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_unparseable_base_url_fails_with_an_argument_error_naming_the_setting_before_any_http_call(BackendKind backend)
    {
        await using var rig = await Rig.StartAsync(backend, handler: null, baseUrl: "http://[not a url");

        foreach (var operation in Enum.GetValues<Operation>())
        {
            var outcome = await Calls.RunAsync(rig.Backend, operation, TestContext.Current.CancellationToken);

            outcome.Error.Should().BeAssignableTo<ArgumentException>($"{backend} {operation}: a bad base URL is a configuration mistake, got {outcome.Error}");
            outcome.Error!.Message.Should().ContainAny(["BaseUrl", "_BASE_URL", "_HOST", "_URL"], "the error names the setting to fix");
        }

        rig.Emulator.Requests.Should().BeEmpty();
    }

    public static TheoryData<BackendKind> Backends => [.. Enum.GetValues<BackendKind>()];

    private static Task BuildFailure(Func<IGenerationHandler, CancellationToken, Task> call, IGenerationHandler backend)
    {
        try
        {
            return call(backend, TestContext.Current.CancellationToken);
        }
        catch (Exception ex)
        {
            // A request that cannot even be built (an unnamed tool) fails in its constructor: also before any HTTP call.
            return Task.FromException(ex);
        }
    }

    private static async Task Drain(IAsyncEnumerable<ChatResponseUpdate> stream, CancellationToken cancellationToken)
    {
        await foreach (var update in stream.WithCancellation(cancellationToken))
        {
            _ = update;
        }
    }
}
