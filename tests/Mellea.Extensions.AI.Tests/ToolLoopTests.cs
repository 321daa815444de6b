using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

public sealed class ToolLoopTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static AIFunction Weather(List<string>? calls = null) =>
        AIFunctionFactory.Create(
            (string city) =>
            {
                calls?.Add(city);
                return $"{city}: 21C";
            },
            "get_weather",
            "The weather in a city.");

    private static ChatRequest Ask(GenerationOptions? options = null) => new("What is the weather in Paris?", options);

    [Fact]
    public async Task One_tool_runs_and_its_result_goes_back_to_the_model_until_it_answers_in_text()
    {
        var calls = new List<string>();
        var handler = new ScriptedHandler(
            Turn.Call(new ToolCallPart("call_1", "get_weather", """{"city":"Paris"}""")),
            Turn.Say("It is 21C in Paris.", input: 30, output: 7));
        var pipeline = handler.AsBuilder().UseToolInvocation(Weather(calls)).Build();
        var request = Ask();

        var response = await pipeline.ChatAsync(request, Token);

        response.Text.Should().Be("It is 21C in Paris.");
        calls.Should().Equal("Paris");
        handler.Calls.Should().Be(2);
        var first = handler.Requests.First();
        var definition = first.Options!.Tools!.Should().ContainSingle().Subject;
        definition.Name.Should().Be("get_weather");
        definition.Description.Should().Be("The weather in a city.");
        definition.ParametersSchema!.Value.GetProperty("properties").GetProperty("city").GetProperty("type").GetString().Should().Be("string");

        var second = handler.Requests.Last().Messages;
        second.Should().HaveCount(3);
        second[0].Role.Should().Be(ChatRole.User);
        second[1].Role.Should().Be(ChatRole.Assistant);
        var call = second[1].ToolCalls.Should().ContainSingle().Subject;
        (call.CallId, call.Name, call.ArgumentsJson).Should().Be(("call_1", "get_weather", """{"city":"Paris"}"""));
        second[2].Role.Should().Be(ChatRole.Tool);
        var result = second[2].Parts.Should().ContainSingle().Which.Should().BeOfType<ToolResultPart>().Subject;
        (result.CallId, result.Result, result.IsError).Should().Be(("call_1", "Paris: 21C", false));

        // The answer reports what the whole call used; the caller's request is untouched.
        response.Metadata.Usage!.InputTokens.Should().Be(40);
        response.Metadata.Usage.OutputTokens.Should().Be(12);
        response.Metadata.FinishReasons.Should().ContainSingle().Which.Kind.Should().Be(FinishReasonKind.Stop);
        request.Options.Should().BeNull();
        request.Messages.Should().HaveCount(1);
    }

    [Fact]
    public async Task Two_tool_calls_run_concurrently_when_allowed_and_results_keep_the_models_order()
    {
        // Each tool waits until both have started: run one after the other, the first would wait forever (bounded below).
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        async Task<string> Rendezvous(string name)
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
            return name + " done";
        }

        var handler = new ScriptedHandler(
            Turn.Call(new ToolCallPart("a1", "tool_a", "{}"), new ToolCallPart("b1", "tool_b", "{}")),
            Turn.Say("both done"));
        var pipeline = handler.AsBuilder().UseToolInvocation(options =>
        {
            options.AllowConcurrentInvocation = true;
            options.Tools.Add(AIFunctionFactory.Create(() => Rendezvous("a"), "tool_a"));
            options.Tools.Add(AIFunctionFactory.Create(() => Rendezvous("b"), "tool_b"));
        }).Build();

        var response = await pipeline.ChatAsync(Ask(), Token);

        response.Text.Should().Be("both done");
        var results = handler.Requests.Last().Messages.Skip(2).Select(m => (ToolResultPart)m.Parts[0]).ToList();
        results.Select(r => (r.CallId, r.Result, r.IsError)).Should().Equal(("a1", "a done", false), ("b1", "b done", false));
    }

    [Fact]
    public async Task By_default_tool_calls_run_one_after_the_other()
    {
        var log = new List<string>();
        async Task<string> Step(string name)
        {
            log.Add(name + " start");
            await Task.Yield();
            log.Add(name + " end");
            return name;
        }

        var handler = new ScriptedHandler(
            Turn.Call(new ToolCallPart("a1", "tool_a", "{}"), new ToolCallPart("b1", "tool_b", "{}")),
            Turn.Say("ok"));
        var pipeline = handler.AsBuilder()
            .UseToolInvocation(AIFunctionFactory.Create(() => Step("a"), "tool_a"), AIFunctionFactory.Create(() => Step("b"), "tool_b"))
            .Build();

        await pipeline.ChatAsync(Ask(), Token);

        log.Should().Equal("a start", "a end", "b start", "b end");
    }

    [Fact]
    public async Task A_tool_that_throws_becomes_an_error_result_without_its_message_unless_asked()
    {
        var failing = AIFunctionFactory.Create(string () => throw new InvalidOperationException("db password=hunter2"), "lookup");
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("c1", "lookup", "{}")), Turn.Say("sorry"));
        var pipeline = handler.AsBuilder().UseToolInvocation(failing).Build();

        var response = await pipeline.ChatAsync(Ask(), Token);

        response.Text.Should().Be("sorry");
        var result = (ToolResultPart)handler.Requests.Last().Messages[2].Parts[0];
        result.IsError.Should().BeTrue();
        result.Result.Should().Contain("'lookup'").And.Contain("InvalidOperationException").And.NotContain("hunter2");

        var detailed = new ScriptedHandler(Turn.Call(new ToolCallPart("c1", "lookup", "{}")), Turn.Say("sorry"));
        await detailed.AsBuilder().UseToolInvocation(o => { o.Tools.Add(failing); o.IncludeDetailedErrors = true; }).Build().ChatAsync(Ask(), Token);
        ((ToolResultPart)detailed.Requests.Last().Messages[2].Parts[0]).Result.Should().Contain("hunter2");
    }

    [Fact]
    public async Task A_tool_that_throws_ends_the_call_when_the_option_rethrows()
    {
        var failing = AIFunctionFactory.Create(string () => throw new InvalidOperationException("boom"), "lookup");
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("c1", "lookup", "{}")), Turn.Say("never"));
        var pipeline = handler.AsBuilder().UseToolInvocation(o => { o.Tools.Add(failing); o.RethrowToolExceptions = true; }).Build();

        var act = async () => await pipeline.ChatAsync(Ask(), Token);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("boom");
        handler.Calls.Should().Be(1);
    }

    [Theory]
    [InlineData("""{}""", "'city'", "missing")]
    [InlineData("""{"city":42,"days":1}""", "'city'", "string")]
    [InlineData("""{"city":"Paris","days":"three"}""", "'days'", "integer")]
    [InlineData("""{"city":"Par""", "not valid JSON", "JSON")]
    [InlineData("""["Paris"]""", "JSON object", "parameters")]
    public async Task Malformed_arguments_become_an_error_result_that_names_the_parameter(string arguments, string named, string explained)
    {
        var ran = 0;
        var forecast = AIFunctionFactory.Create((string city, int days) => { ran++; return $"{city} {days}"; }, "forecast");
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("c1", "forecast", arguments)), Turn.Say("retrying"));
        var pipeline = handler.AsBuilder().UseToolInvocation(forecast).Build();

        await pipeline.ChatAsync(Ask(), Token);

        ran.Should().Be(0);
        var result = (ToolResultPart)handler.Requests.Last().Messages[2].Parts[0];
        result.IsError.Should().BeTrue();
        result.CallId.Should().Be("c1");
        result.Result.Should().Contain("'forecast'").And.Contain(named).And.Contain(explained);
    }

    [Fact]
    public async Task An_unknown_tool_becomes_an_error_result_that_lists_the_tools_and_the_loop_goes_on()
    {
        var calls = new List<string>();
        var handler = new ScriptedHandler(
            Turn.Call(new ToolCallPart("c1", "get_wether", """{"city":"Paris"}""")),
            Turn.Call(new ToolCallPart("c2", "get_weather", """{"city":"Paris"}""")),
            Turn.Say("21C"));
        var pipeline = handler.AsBuilder().UseToolInvocation(Weather(calls)).Build();

        var response = await pipeline.ChatAsync(Ask(), Token);

        response.Text.Should().Be("21C");
        var unknown = (ToolResultPart)handler.Requests.ElementAt(1).Messages[2].Parts[0];
        unknown.IsError.Should().BeTrue();
        unknown.Result.Should().Contain("'get_wether'").And.Contain("get_weather");
        calls.Should().Equal("Paris");
    }

    [Fact]
    public async Task The_iteration_guard_stops_a_model_that_never_stops_asking_with_a_clear_error()
    {
        var calls = new List<string>();
        var handler = new ScriptedHandler { Forever = () => Turn.Call(new ToolCallPart("c", "get_weather", """{"city":"Paris"}""")) };
        var pipeline = handler.AsBuilder().UseToolInvocation(o => { o.Tools.Add(Weather(calls)); o.MaximumIterations = 3; }).Build();

        var act = async () => await pipeline.ChatAsync(Ask(), Token);

        var thrown = await act.Should().ThrowAsync<ToolInvocationException>();
        thrown.Which.Iterations.Should().Be(3);
        thrown.Which.Message.Should().Contain("MaximumIterations").And.Contain("3");
        calls.Should().HaveCount(3);
        handler.Calls.Should().Be(4);
        new ToolInvocationOptions().MaximumIterations.Should().Be(40);
    }

    [Fact]
    public async Task A_tool_the_caller_declared_itself_ends_the_loop_and_is_returned_to_the_caller()
    {
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("c1", "ask_user", "{}")));
        var pipeline = handler.AsBuilder().UseToolInvocation(Weather()).Build();
        var options = new GenerationOptions { Tools = [new ToolDefinition("ask_user")] };

        var response = await pipeline.ChatAsync(Ask(options), Token);

        response.ToolCalls.Should().ContainSingle().Which.Name.Should().Be("ask_user");
        handler.Calls.Should().Be(1);
        handler.Requests.Single().Options!.Tools!.Select(t => t.Name).Should().Equal("ask_user", "get_weather");
        options.Tools.Should().ContainSingle("the caller's options are never changed");
    }

    [Fact]
    public async Task A_required_tool_choice_becomes_auto_after_the_first_round()
    {
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("c1", "get_weather", """{"city":"Oslo"}""")), Turn.Say("cold"));
        var pipeline = handler.AsBuilder().UseToolInvocation(Weather()).Build();

        await pipeline.ChatAsync(Ask(new GenerationOptions { ToolChoice = ToolChoice.Required }), Token);

        handler.Requests.First().Options!.ToolChoice.Should().Be(ToolChoice.Required);
        handler.Requests.Last().Options!.ToolChoice.Should().Be(ToolChoice.Auto);
    }

    [Fact]
    public async Task Without_tools_or_with_tool_choice_none_the_request_passes_through_untouched()
    {
        var handler = new ScriptedHandler(Turn.Say("a"), Turn.Say("b"));
        var none = new ChatRequest("hi", new GenerationOptions { ToolChoice = ToolChoice.None });
        var plain = new ChatRequest("hi");

        await handler.AsBuilder().UseToolInvocation(Weather()).Build().ChatAsync(none, Token);
        await handler.AsBuilder().UseToolInvocation().Build().ChatAsync(plain, Token);

        handler.Requests.First().Should().BeSameAs(none);
        handler.Requests.Last().Should().BeSameAs(plain);
    }

    [Fact]
    public async Task A_stream_passes_through_the_loop_text_streams_on_tool_turns_stay_inside_and_one_final_update_ends_it()
    {
        var handler = new ScriptedHandler(
            Turn.Call("Let me check.", new ToolCallPart("call_1", "get_weather", """{"city":"Paris"}""")),
            Turn.Say("Sunny in Paris", input: 30, output: 7));
        var pipeline = handler.AsBuilder().UseToolInvocation(Weather()).Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in pipeline.StreamChatAsync(Ask(), Token))
        {
            updates.Add(update);
        }

        string.Concat(updates.Select(u => u.TextDelta)).Should().Be("Let me check.Sunny in Paris");
        updates.Should().NotContain(u => u.ToolCallDeltas != null);
        updates.Where(u => u.Metadata != null).Should().ContainSingle().Which.Should().BeSameAs(updates[^1]);
        var final = updates[^1];
        final.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Stop);
        final.Metadata!.Usage!.InputTokens.Should().Be(40);
        final.Metadata.Streamed.Should().BeTrue();

        // The assembled call and the turn's text went back to the model.
        var second = handler.Requests.Last().Messages;
        second[1].Text.Should().Be("Let me check.");
        var call = second[1].ToolCalls.Should().ContainSingle().Subject;
        (call.CallId, call.Name, call.ArgumentsJson).Should().Be(("call_1", "get_weather", """{"city":"Paris"}"""));
        ((ToolResultPart)second[2].Parts[0]).Result.Should().Be("Paris: 21C");
    }

    [Fact]
    public async Task A_stream_whose_tool_belongs_to_the_caller_shows_the_tool_call_fragments()
    {
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("c1", "ask_user", """{"q":"which city?"}""")));
        var pipeline = handler.AsBuilder().UseToolInvocation(Weather()).Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in pipeline.StreamChatAsync(Ask(new GenerationOptions { Tools = [new ToolDefinition("ask_user")] }), Token))
        {
            updates.Add(update);
        }

        string.Concat(updates.SelectMany(u => u.ToolCallDeltas ?? []).Select(d => d.ArgumentsDelta)).Should().Be("""{"q":"which city?"}""");
        updates[^1].FinishReason!.Value.Kind.Should().Be(FinishReasonKind.ToolCall);
    }

    [Fact]
    public void Options_are_checked_when_the_middleware_is_built()
    {
        var tooFew = () => new ToolInvocationMiddleware(new ToolInvocationOptions { MaximumIterations = 0 });
        var twice = () =>
        {
            var options = new ToolInvocationOptions();
            options.Tools.Add(Weather());
            options.Tools.Add(Weather());
            return new ToolInvocationMiddleware(options);
        };

        tooFew.Should().Throw<ArgumentOutOfRangeException>();
        twice.Should().Throw<ArgumentException>().WithMessage("*get_weather*");
    }

    [Fact]
    public void The_schema_is_the_one_AIFunctionFactory_made()
    {
        var function = AIFunctionFactory.Create((string city, int days) => city, "forecast", "Forecast.");
        var middleware = new ToolInvocationMiddleware(new ToolInvocationOptions { Tools = { function } });

        var definition = middleware.ToolDefinitions.Single();

        JsonSerializer.Serialize(definition.ParametersSchema).Should().Be(JsonSerializer.Serialize(function.JsonSchema));
        definition.ParametersSchema!.Value.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo("city", "days");
    }
}
