using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Mellea.Packaging.Tests;

/// <summary>
/// Packs every src project once (with the outputs the build already made) into a folder feed, checks what each package
/// holds, then restores, builds and runs a consumer that knows Mellea.NET only as packages. A package that misses a
/// dependency, a README, its XML docs or its symbols fails here, not on a user's machine.
/// </summary>
public sealed class PackagingTests : IDisposable
{
    /// <summary>The package the tool makes; every other src project makes a library package.</summary>
    private const string ToolPackage = "Mellea.Cli";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mellea-packaging-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task Every_project_packs_completely_and_a_consumer_runs_on_the_packages_alone()
    {
        var repository = FindRepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // A version no cache can hold yet: the consumer must get these packages, never an older copy of 0.1.0.
        var version = $"0.1.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = Directory.CreateDirectory(Path.Combine(_work.FullName, "feed")).FullName;

        // One MSBuild process packs every src project from the outputs the build already made: no second build, no restore.
        var projects = Directory.GetDirectories(Path.Combine(repository, "src"))
            .Select(directory => Path.Combine(directory, Path.GetFileName(directory) + ".csproj"))
            .Where(File.Exists)
            .Select(project => $"    <PackedProject Include=\"{project}\" />");
        var packAll = Path.Combine(_work.FullName, "pack-all.proj");
        File.WriteAllText(packAll, $"""
            <Project>
              <ItemGroup>
            {string.Join("\n", projects)}
              </ItemGroup>
              <Target Name="PackAll">
                <MSBuild Projects="@(PackedProject)" Targets="Pack" BuildInParallel="true"
                         Properties="Configuration={configuration};NoBuild=true;PackageOutputPath={feed};Version={version}" />
              </Target>
            </Project>
            """);
        var pack = await RunAsync(_work.FullName, "msbuild", packAll, "-t:PackAll", "-nologo", "-v:m");
        pack.ExitCode.Should().Be(0, pack.Output);

        var projectNames = Directory.GetDirectories(Path.Combine(repository, "src"))
            .Where(directory => File.Exists(Path.Combine(directory, Path.GetFileName(directory) + ".csproj")))
            .Select(Path.GetFileName)
            .ToList();
        projectNames.Should().Contain(["Mellea.Abstractions", "Mellea.Middleware", "Mellea.Backends.OpenAI", "Mellea.Backends.Ollama", "Mellea.Backends.HuggingFace", "Mellea.Backends.LiteLlm", "Mellea.Backends.Watsonx", "Mellea.Testing", ToolPackage]);
        var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).ToList();
        packages.Should().BeEquivalentTo([.. projectNames.Select(id => $"{id}.{version}.nupkg")], "one package per src project, the tool included");
        foreach (var id in projectNames.Where(id => id != ToolPackage).Select(id => id!))
        {
            AssertLibraryPackage(feed, id, version);
        }

        AssertToolPackage(feed, version);

        var consumer = CopyConsumer();
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mellea-local-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var build = await RunAsync(consumer, "build", "PackageConsumer.csproj", $"-p:MelleaVersion={version}", "-c", "Release");
        build.ExitCode.Should().Be(0, build.Output);
        var run = await RunAsync(consumer, "bin/Release/net10.0/PackageConsumer.dll");
        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("openai: Hello from OpenAI").And.Contain("ollama: Hello from Ollama").And.Contain("di+ichatclient: Hello from DI").And.Contain("spans: 3");

        // The tool package installs as users install it, and its demo runs from the installed copy.
        var tools = Path.Combine(_work.FullName, "tools");
        var install = await RunAsync(consumer, "tool", "install", "Mellea.Cli", "--tool-path", tools, "--add-source", feed, "--version", version);
        install.ExitCode.Should().Be(0, install.Output);
        var demo = await RunAsync(consumer, Path.Combine(tools, ".store", "mellea.cli", version, "mellea.cli", version, "tools", "net10.0", "any", "mellea.dll"), "demo");
        demo.ExitCode.Should().Be(0, demo.Output);
        demo.Output.Should().Contain("6. a failing call").And.Contain("execute_tool get_weather");
    }

    private static void AssertLibraryPackage(string feed, string id, string version)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.nupkg"));
        var nuspec = ReadNuspec(package);
        Metadata(nuspec, "description").Should().NotBeNullOrWhiteSpace($"{id} has a description");
        Metadata(nuspec, "tags").Should().Contain("llm", $"{id} has tags");
        Metadata(nuspec, "license").Should().Be("Apache-2.0", $"{id} has a license expression");
        Metadata(nuspec, "readme").Should().Be("README.md", $"{id} shows a README on the gallery");
        package.GetEntry("README.md").Should().NotBeNull($"{id} carries its README");
        package.GetEntry($"lib/net10.0/{id}.dll").Should().NotBeNull();
        package.GetEntry($"lib/net10.0/{id}.xml").Should().NotBeNull($"{id} carries its XML docs");
        using var symbols = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.snupkg"));
        symbols.GetEntry($"lib/net10.0/{id}.pdb").Should().NotBeNull($"{id} has a symbols package");
    }

    private static void AssertToolPackage(string feed, string version)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed, $"Mellea.Cli.{version}.nupkg"));
        var nuspec = ReadNuspec(package);
        nuspec.Descendants().Where(element => element.Name.LocalName == "packageType").Select(element => element.Attribute("name")?.Value).Should().Contain("DotnetTool");
        Metadata(nuspec, "license").Should().Be("Apache-2.0");
        Metadata(nuspec, "readme").Should().Be("README.md");
        package.Entries.Select(entry => entry.FullName).Should().Contain("tools/net10.0/any/mellea.dll").And.Contain("tools/net10.0/any/DotnetToolSettings.xml");
        using var settings = new StreamReader(package.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
        settings.ReadToEnd().Should().Contain("Command Name=\"mellea\"").And.Contain("EntryPoint=\"mellea.dll\"");
    }

    private static XDocument ReadNuspec(ZipArchive package)
    {
        using var stream = package.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static string? Metadata(XDocument nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(element => element.Name.LocalName == name)?.Value;

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mellea.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Mellea.sln above {AppContext.BaseDirectory}.");
    }

    private string CopyConsumer()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "consumer");
        var target = Directory.CreateDirectory(Path.Combine(_work.FullName, "consumer")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost(), args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The consumer's packages land in a folder of their own, so the machine's cache never holds a test build of Mellea;
        // third-party packages come from that cache when it has them (a fallback folder), else from the default sources.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_work.FullName, "packages");
        start.Environment["NUGET_FALLBACK_PACKAGES"] = GlobalPackagesFolder();
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
