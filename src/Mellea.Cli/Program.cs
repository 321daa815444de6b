using Mellea.Cli;

// A thin shell: everything testable lives in MelleaCommandLine, which takes the environment and writers as arguments.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels the call so telemetry still flushes; a second one ends the process as usual.
    if (!interrupted.IsCancellationRequested)
    {
        e.Cancel = true;
        interrupted.Cancel();
    }
};

var host = new CliHost(Environment.GetEnvironmentVariable, Console.Out, Console.Error, OutputIsTerminal: !Console.IsOutputRedirected);
return await new MelleaCommandLine(host).RunAsync(args, interrupted.Token).ConfigureAwait(false);
