using System.Text;

namespace Mellea;

/// <summary>
/// A named, versioned prompt template and the variables it was filled with. Attach it to a request so that telemetry can
/// say which template produced the prompt (<c>gen_ai.prompt.name</c>, <c>gen_ai.prompt.version</c>); call
/// <see cref="Render"/> to fill it, or render it yourself and attach the reference anyway.
/// </summary>
/// <remarks>
/// The syntax is deliberately tiny: <c>{name}</c> is replaced by the variable's value, <c>{{</c> and <c>}}</c> stand for
/// literal braces, and nothing else is interpreted. Values are inserted as they are: braces inside a value are text, and
/// no expression, format specifier or code is ever evaluated. Variable names use letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.
/// </remarks>
public sealed class PromptTemplate
{
    /// <summary>Creates a template reference.</summary>
    /// <param name="name">The template's name, for <c>gen_ai.prompt.name</c>.</param>
    /// <param name="template">The template text.</param>
    /// <param name="variables">The values of its variables. Copied.</param>
    /// <param name="version">The template's version, if any.</param>
    public PromptTemplate(string name, string template, IReadOnlyDictionary<string, string>? variables = null, string? version = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(template);
        Name = name;
        Template = template;
        Version = version;
        Variables = variables is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(variables, StringComparer.Ordinal);
    }

    /// <summary>The template's name.</summary>
    public string Name { get; }

    /// <summary>The template's version, if any.</summary>
    public string? Version { get; }

    /// <summary>The template text, written by the application's developers.</summary>
    public string Template { get; }

    /// <summary>The values of the template's variables; they may hold user data, so telemetry records them only with content capture on.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>Fills the template's placeholders with <see cref="Variables"/>.</summary>
    /// <returns>The rendered text.</returns>
    /// <exception cref="FormatException">A placeholder is malformed, or names a variable that has no value; the message names it.</exception>
    public string Render()
    {
        var text = Template;
        var output = new StringBuilder(text.Length + 32);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{')
            {
                if (i + 1 < text.Length && text[i + 1] == '{')
                {
                    output.Append('{');
                    i++;
                    continue;
                }

                var close = text.IndexOf('}', i + 1);
                if (close < 0)
                {
                    throw new FormatException($"Template '{Name}' has an unclosed '{{' at position {i}; write '{{{{' for a literal brace.");
                }

                var variable = text.AsSpan(i + 1, close - i - 1);
                if (variable.IsEmpty || !IsName(variable))
                {
                    throw new FormatException($"Template '{Name}' has a malformed placeholder '{{{variable}}}' at position {i}; placeholders are {{name}}, and '{{{{' is a literal brace.");
                }

                var key = variable.ToString();
                if (!Variables.TryGetValue(key, out var value))
                {
                    throw new FormatException($"Template '{Name}' uses the variable '{key}', which has no value.");
                }

                output.Append(value);
                i = close;
            }
            else if (c == '}')
            {
                if (i + 1 < text.Length && text[i + 1] == '}')
                {
                    output.Append('}');
                    i++;
                    continue;
                }

                throw new FormatException($"Template '{Name}' has an unmatched '}}' at position {i}; write '}}}}' for a literal brace.");
            }
            else
            {
                output.Append(c);
            }
        }

        return output.ToString();
    }

    /// <summary>Renders the template into a user message.</summary>
    public ChatMessage RenderUserMessage() => ChatMessage.User(Render());

    /// <inheritdoc/>
    public override string ToString() => Version is null ? $"template {Name}" : $"template {Name} v{Version}";

    private static bool IsName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
