namespace Mellea;

/// <summary>The author of a <see cref="ChatMessage"/>.</summary>
public enum ChatRole
{
    /// <summary>Instructions that steer the model (<c>system</c>).</summary>
    System,

    /// <summary>Input from the user (<c>user</c>).</summary>
    User,

    /// <summary>Output of the model (<c>assistant</c>).</summary>
    Assistant,

    /// <summary>The result of a tool call, sent back to the model (<c>tool</c>).</summary>
    Tool,
}

/// <summary>Conversions of <see cref="ChatRole"/> to the lower-case names that every provider and the OTel conventions use.</summary>
public static class ChatRoleExtensions
{
    /// <summary>Returns <c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</summary>
    /// <param name="role">The role.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined role.</exception>
    public static string ToWireName(this ChatRole role) => role switch
    {
        ChatRole.System => "system",
        ChatRole.User => "user",
        ChatRole.Assistant => "assistant",
        ChatRole.Tool => "tool",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown chat role."),
    };
}
