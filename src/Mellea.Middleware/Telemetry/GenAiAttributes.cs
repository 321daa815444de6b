namespace Mellea;

/// <summary>
/// Every attribute, event and value name Mellea's telemetry emits, in one place, so that a misspelt name cannot hide in
/// a string literal. Names follow the OpenTelemetry GenAI semantic conventions (shared/reference/semconv-genai.md);
/// Mellea's own extensions use the <c>mellea.</c> prefix.
/// </summary>
public static class GenAiAttributes
{
    /// <summary><c>gen_ai.operation.name</c>.</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary><c>gen_ai.provider.name</c>.</summary>
    public const string ProviderName = "gen_ai.provider.name";

    /// <summary><c>gen_ai.conversation.id</c>.</summary>
    public const string ConversationId = "gen_ai.conversation.id";

    /// <summary><c>gen_ai.output.type</c>.</summary>
    public const string OutputType = "gen_ai.output.type";

    /// <summary><c>gen_ai.request.model</c>.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary><c>gen_ai.request.temperature</c> (double).</summary>
    public const string RequestTemperature = "gen_ai.request.temperature";

    /// <summary><c>gen_ai.request.top_p</c> (double).</summary>
    public const string RequestTopP = "gen_ai.request.top_p";

    /// <summary><c>gen_ai.request.top_k</c> (int).</summary>
    public const string RequestTopK = "gen_ai.request.top_k";

    /// <summary><c>gen_ai.request.max_tokens</c> (int).</summary>
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";

    /// <summary><c>gen_ai.request.stop_sequences</c> (string[]).</summary>
    public const string RequestStopSequences = "gen_ai.request.stop_sequences";

    /// <summary><c>gen_ai.request.seed</c> (int).</summary>
    public const string RequestSeed = "gen_ai.request.seed";

    /// <summary><c>gen_ai.request.frequency_penalty</c> (double).</summary>
    public const string RequestFrequencyPenalty = "gen_ai.request.frequency_penalty";

    /// <summary><c>gen_ai.request.presence_penalty</c> (double).</summary>
    public const string RequestPresencePenalty = "gen_ai.request.presence_penalty";

    /// <summary><c>gen_ai.request.choice.count</c> (int), only when not 1.</summary>
    public const string RequestChoiceCount = "gen_ai.request.choice.count";

    /// <summary><c>gen_ai.request.stream</c> (bool), only when streaming.</summary>
    public const string RequestStream = "gen_ai.request.stream";

    /// <summary><c>gen_ai.request.reasoning.level</c>.</summary>
    public const string RequestReasoningLevel = "gen_ai.request.reasoning.level";

    /// <summary><c>gen_ai.response.model</c>.</summary>
    public const string ResponseModel = "gen_ai.response.model";

    /// <summary><c>gen_ai.response.id</c>.</summary>
    public const string ResponseId = "gen_ai.response.id";

    /// <summary><c>gen_ai.response.finish_reasons</c> (string[]).</summary>
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";

    /// <summary><c>gen_ai.response.time_to_first_chunk</c> (double, seconds).</summary>
    public const string ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk";

    /// <summary><c>gen_ai.usage.input_tokens</c> (int).</summary>
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";

    /// <summary><c>gen_ai.usage.output_tokens</c> (int).</summary>
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";

    /// <summary><c>gen_ai.usage.cache_read.input_tokens</c> (int).</summary>
    public const string UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";

    /// <summary><c>gen_ai.usage.cache_write.input_tokens</c> (int; the post-#440 name of cache_creation).</summary>
    public const string UsageCacheWriteInputTokens = "gen_ai.usage.cache_write.input_tokens";

    /// <summary><c>gen_ai.usage.reasoning.output_tokens</c> (int).</summary>
    public const string UsageReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";

    /// <summary><c>gen_ai.token.type</c>: <c>input</c> or <c>output</c>.</summary>
    public const string TokenType = "gen_ai.token.type";

    /// <summary><c>gen_ai.system_instructions</c> (JSON, opt-in content).</summary>
    public const string SystemInstructions = "gen_ai.system_instructions";

    /// <summary><c>gen_ai.input.messages</c> (JSON, opt-in content).</summary>
    public const string InputMessages = "gen_ai.input.messages";

    /// <summary><c>gen_ai.output.messages</c> (JSON, opt-in content).</summary>
    public const string OutputMessages = "gen_ai.output.messages";

    /// <summary><c>gen_ai.tool.definitions</c> (JSON, opt-in content).</summary>
    public const string ToolDefinitions = "gen_ai.tool.definitions";

    /// <summary><c>gen_ai.tool.name</c>.</summary>
    public const string ToolName = "gen_ai.tool.name";

    /// <summary><c>gen_ai.tool.call.id</c>.</summary>
    public const string ToolCallId = "gen_ai.tool.call.id";

    /// <summary><c>gen_ai.tool.type</c>.</summary>
    public const string ToolType = "gen_ai.tool.type";

    /// <summary><c>gen_ai.tool.description</c>.</summary>
    public const string ToolDescription = "gen_ai.tool.description";

    /// <summary><c>gen_ai.tool.call.arguments</c> (JSON, opt-in content).</summary>
    public const string ToolCallArguments = "gen_ai.tool.call.arguments";

    /// <summary><c>gen_ai.tool.call.result</c> (JSON, opt-in content).</summary>
    public const string ToolCallResult = "gen_ai.tool.call.result";

    /// <summary><c>error.type</c>: the same value on spans and on the duration metric (see <see cref="ErrorClassifier"/>).</summary>
    public const string ErrorType = "error.type";

    /// <summary><c>server.address</c>.</summary>
    public const string ServerAddress = "server.address";

    /// <summary><c>server.port</c> (int).</summary>
    public const string ServerPort = "server.port";

    /// <summary><c>mellea.usage.total_tokens</c> (int; semconv has no total).</summary>
    public const string MelleaUsageTotalTokens = "mellea.usage.total_tokens";

    /// <summary><c>mellea.error.category</c>: the low-cardinality <see cref="ErrorCategory"/> name.</summary>
    public const string MelleaErrorCategory = "mellea.error.category";

    /// <summary>
    /// <c>mellea.outcome</c>: how the call ended. On a generation span only when it did not complete normally, like
    /// <c>error.type</c> (a span without it completed): <c>failed</c>, <c>cancelled</c> (the caller's token fired; not an error)
    /// or <c>abandoned</c> (the caller stopped enumerating a stream; not an error). The stream end event always carries it,
    /// <c>completed</c> included.
    /// </summary>
    public const string MelleaOutcome = "mellea.outcome";

    /// <summary><c>mellea.request.context_size</c> (int): the messages sent.</summary>
    public const string MelleaRequestContextSize = "mellea.request.context_size";

    /// <summary><c>mellea.request.tools</c> (int): the tools offered.</summary>
    public const string MelleaRequestTools = "mellea.request.tools";

    /// <summary><c>mellea.request.format_type</c>: the schema's name when a JSON-schema response format is requested.</summary>
    public const string MelleaRequestFormatType = "mellea.request.format_type";

    /// <summary><c>mellea.stream.chunk_count</c> (int), on the stream's end event.</summary>
    public const string MelleaStreamChunkCount = "mellea.stream.chunk_count";

    /// <summary><c>mellea.stream.time_to_first_chunk</c> (double, seconds), on the first-chunk event.</summary>
    public const string MelleaStreamTimeToFirstChunk = "mellea.stream.time_to_first_chunk";

    /// <summary><c>mellea.generation.chunk_index</c> (int), on per-chunk events (Python Mellea's name).</summary>
    public const string MelleaChunkIndex = "mellea.generation.chunk_index";

    /// <summary><c>mellea.generation.chunk_text_length</c> (int), on per-chunk events.</summary>
    public const string MelleaChunkTextLength = "mellea.generation.chunk_text_length";

    /// <summary><c>mellea.generation.time_since_last_chunk_ms</c> (double), on per-chunk events after the first.</summary>
    public const string MelleaTimeSinceLastChunkMs = "mellea.generation.time_since_last_chunk_ms";

    /// <summary><c>gen_ai.prompt.name</c>: the named prompt template used.</summary>
    public const string PromptName = "gen_ai.prompt.name";

    /// <summary><c>gen_ai.prompt.version</c>: its version.</summary>
    public const string PromptVersion = "gen_ai.prompt.version";

    /// <summary><c>gen_ai.prompt.variable.&lt;key&gt;</c>: one template variable (opt-in content).</summary>
    public const string PromptVariablePrefix = "gen_ai.prompt.variable.";

    /// <summary><c>llm.prompt_template.template</c> (OpenInference): the template text, written by developers.</summary>
    public const string LlmPromptTemplate = "llm.prompt_template.template";

    /// <summary><c>llm.prompt_template.version</c> (OpenInference).</summary>
    public const string LlmPromptTemplateVersion = "llm.prompt_template.version";

    /// <summary><c>llm.prompt_template.variables</c> (OpenInference): the variables as a JSON object (opt-in content).</summary>
    public const string LlmPromptTemplateVariables = "llm.prompt_template.variables";

    /// <summary>Span event names.</summary>
    public static class Events
    {
        /// <summary><c>mellea.stream.first_chunk</c>: the first update of a stream, with <see cref="MelleaStreamTimeToFirstChunk"/>.</summary>
        public const string StreamFirstChunk = "mellea.stream.first_chunk";

        /// <summary><c>mellea.stream.end</c>: the end of a stream, with <see cref="MelleaStreamChunkCount"/> and <see cref="MelleaOutcome"/>.</summary>
        public const string StreamEnd = "mellea.stream.end";

        /// <summary><c>mellea.stream.chunk</c>: one streamed update; only with <c>MELLEA_GENERATION_CHUNK_EVENTS</c>.</summary>
        public const string StreamChunk = "mellea.stream.chunk";
    }

    /// <summary><c>mellea.retry.attempts</c> (int): the attempts after the first.</summary>
    public const string MelleaRetryAttempts = "mellea.retry.attempts";

    /// <summary><c>mellea.request.prompt_count</c> (int): the prompts of a raw batch.</summary>
    public const string MelleaRequestPromptCount = "mellea.request.prompt_count";

    /// <summary><c>mellea.provider.request_id</c>: the provider's request id, for support tickets.</summary>
    public const string MelleaProviderRequestId = "mellea.provider.request_id";

    /// <summary>Span and metric values of <c>gen_ai.token.type</c> and <c>mellea.stream.outcome</c>.</summary>
    public static class Values
    {
        /// <summary><c>input</c>.</summary>
        public const string TokenTypeInput = "input";

        /// <summary><c>output</c>.</summary>
        public const string TokenTypeOutput = "output";

        /// <summary><c>completed</c>.</summary>
        public const string OutcomeCompleted = "completed";

        /// <summary><c>failed</c>.</summary>
        public const string OutcomeFailed = "failed";

        /// <summary><c>cancelled</c>.</summary>
        public const string OutcomeCancelled = "cancelled";

        /// <summary><c>abandoned</c>.</summary>
        public const string OutcomeAbandoned = "abandoned";
    }
}
