namespace Mellea.Cli.Tests;

/// <summary>Bad command lines: exit 2 and one stderr line that names the flag, before any network or telemetry.</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData(new[] { "chat", "--bogus", "hi" }, "--bogus")]
    [InlineData(new[] { "chat", "--temperature", "warm", "hi" }, "--temperature")]
    [InlineData(new[] { "chat", "--max-tokens", "0", "hi" }, "--max-tokens")]
    [InlineData(new[] { "chat", "--retries", "-1", "hi" }, "--retries")]
    [InlineData(new[] { "chat", "--backend", "gemini", "hi" }, "--backend")]
    [InlineData(new[] { "raw", "--seed", "x", "p" }, "--seed")]
    [InlineData(new[] { "raw", "--stream", "p" }, "--stream")]
    public async Task A_bad_flag_gets_one_usage_line_that_names_it(string[] args, string flag)
    {
        var result = await CliRun.InProcessAsync(args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.ErrorLines.Should().ContainSingle().Which.Should().StartWith("usage: ").And.Contain(flag).And.Contain("--help");
        result.StandardOutput.Should().BeEmpty();
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("raw")]
    public async Task A_missing_prompt_is_a_usage_error(string command)
    {
        var result = await CliRun.InProcessAsync(command, "--backend", "openai");

        result.ExitCode.Should().Be(2);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("PROMPT");
    }

    [Fact]
    public async Task No_command_is_a_usage_error()
    {
        var result = await CliRun.InProcessAsync();

        result.ExitCode.Should().Be(2);
        result.ErrorLines.Should().ContainSingle().Which.Should().StartWith("usage: ");
    }

    [Fact]
    public async Task Help_lists_every_option_of_chat_and_exits_0()
    {
        var result = await CliRun.InProcessAsync("chat", "--help");

        result.ExitCode.Should().Be(0);
        foreach (var option in new[] { "--backend", "--model", "--base-url", "--system", "--temperature", "--top-p", "--max-tokens", "--stop", "--seed", "--stream", "--retries", "--conversation-id", "--json", "--verbose", "--config" })
        {
            result.StandardOutput.Should().Contain(option);
        }
    }
}
