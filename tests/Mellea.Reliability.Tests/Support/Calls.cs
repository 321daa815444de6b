namespace Mellea.Reliability.Tests.Support;

/// <summary>Runs one operation and reports what came back: the text (and whether a finish reason came), or the exception.</summary>
internal static class Calls
{
    public static readonly string[] BatchPrompts = [Markers.Prompt + " first", Markers.Prompt + " second"];

    public static ChatRequest Chat() => new(Markers.Prompt + " tell me a story");

    public static RawCompletionRequest Raw() => new(BatchPrompts);

    public static async Task<CallOutcome> RunAsync(IGenerationHandler handler, Operation operation, CancellationToken cancellationToken)
    {
        var received = new System.Text.StringBuilder();
        try
        {
            switch (operation)
            {
                case Operation.Chat:
                {
                    var response = await handler.ChatAsync(Chat(), cancellationToken);
                    return CallOutcome.Succeeded(response.Text, [response.Text], response.Choices.All(c => c.FinishReason is not null));
                }

                case Operation.Stream:
                {
                    var finished = false;
                    await foreach (var update in handler.StreamChatAsync(Chat(), cancellationToken).WithCancellation(cancellationToken))
                    {
                        received.Append(update.TextDelta);
                        finished |= update.FinishReason is not null || update.Metadata is { FinishReasons.Count: > 0 };
                    }

                    return CallOutcome.Succeeded(received.ToString(), [received.ToString()], finished);
                }

                case Operation.RawBatch:
                {
                    var response = await handler.CompleteRawAsync(Raw(), cancellationToken);
                    var texts = response.Completions.OrderBy(c => c.PromptIndex).Select(c => c.Text).ToList();
                    return CallOutcome.Succeeded(string.Concat(texts), texts, response.Completions.All(c => c.FinishReason is not null));
                }

                default:
                    throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
            }
        }
        catch (Exception ex)
        {
            return CallOutcome.Failed(ex, received.ToString());
        }
    }
}
