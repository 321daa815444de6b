using System.Text;
using System.Text.RegularExpressions;

namespace Mellea.Reliability.Tests.Support;

/// <summary>The fuzz mutations of issue 9: truncation, flipped types, dropped fields, deep nesting, invalid UTF-8, huge numbers.</summary>
internal static partial class PayloadMutator
{
    public enum Mutation
    {
        Truncate,
        FlipType,
        DropField,
        DeepNesting,
        InvalidUtf8,
        HugeNumber,
    }

    private static readonly string[] Replacements = ["123", "-1", "1.5", "true", "null", "{}", "[]", "\"text\"", "[1,\"a\",null]", "{\"a\":{}}"];
    private static readonly string[] HugeNumbers = ["1" + new string('0', 400), "1e999", "-1e999", "99999999999999999999999999", "-9223372036854775809", "1.7976931348623157e309", "0.000000000000000000000000000000000000000000000001"];

    public static byte[] Apply(byte[] payload, Mutation mutation, Random random)
    {
        var text = Encoding.UTF8.GetString(payload);
        switch (mutation)
        {
            case Mutation.Truncate:
                return payload[..random.Next(payload.Length)];
            case Mutation.FlipType:
                return Encoding.UTF8.GetBytes(ReplaceOne(text, ValuePattern(), random, _ => Replacements[random.Next(Replacements.Length)]));
            case Mutation.DropField:
                return Encoding.UTF8.GetBytes(ReplaceOne(text, FieldPattern(), random, _ => string.Empty));
            case Mutation.DeepNesting:
                var depth = random.Next(65, 5_000);
                var nested = string.Concat(Enumerable.Repeat(random.Next(2) == 0 ? "[" : "{\"a\":", depth)) + "1";
                var closing = new StringBuilder();
                foreach (var opener in nested.Reverse().Where(c => c is '[' or '{'))
                {
                    closing.Append(opener == '[' ? ']' : '}');
                }

                return Encoding.UTF8.GetBytes(ReplaceOne(text, ValuePattern(), random, _ => nested + closing));
            case Mutation.InvalidUtf8:
            {
                byte[][] bad = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0xAF]];
                var at = random.Next(payload.Length + 1);
                return [.. payload[..at], .. bad[random.Next(bad.Length)], .. payload[at..]];
            }

            case Mutation.HugeNumber:
                return Encoding.UTF8.GetBytes(ReplaceOne(text, NumberPattern(), random, _ => HugeNumbers[random.Next(HugeNumbers.Length)]));
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null);
        }
    }

    private static string ReplaceOne(string text, Regex pattern, Random random, Func<Match, string> replacement)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0)
        {
            return text;
        }

        var match = matches[random.Next(matches.Count)];
        return string.Concat(text.AsSpan(0, match.Index), replacement(match), text.AsSpan(match.Index + match.Length));
    }

    // A JSON value after a colon: a string, a number, a literal, or an empty container.
    [GeneratedRegex(@"(?<=:\s*)(""(?:[^""\\]|\\.)*""|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|\{\}|\[\])", RegexOptions.CultureInvariant)]
    private static partial Regex ValuePattern();

    [GeneratedRegex(@"""[A-Za-z_][A-Za-z0-9_]*""\s*:\s*(""(?:[^""\\]|\\.)*""|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)\s*,?", RegexOptions.CultureInvariant)]
    private static partial Regex FieldPattern();

    [GeneratedRegex(@"(?<=:\s*)-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
