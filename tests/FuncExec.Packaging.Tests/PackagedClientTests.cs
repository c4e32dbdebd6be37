using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace FuncExec.Packaging.Tests;

/// <summary>
/// A program that references FuncExec.Client from the package folder, as a user's would, with no
/// project reference: it runs a lambda of its own on the embedded cluster's pinned workers, and
/// on a scheduler and node running apart.
/// </summary>
[Collection(SharedPackages.Name)]
public sealed partial class PackagedClientTests(PackedFuncExec packed, ITestOutputHelper output)
{
    private const string Program = """
        using FuncExec;

        await using (var cluster = await Cluster.StartLocalAsync(new LocalClusterOptions { Workers = 2 }))
        {
            await using var computation = await cluster.ScheduleAsync();
            Console.WriteLine($"local square={await computation.RunAsync(() => Jobs.Square(7))}");
            Console.WriteLine($"local worker-pid={await computation.RunAsync(() => Jobs.ProcessId())} app-pid={Environment.ProcessId}");
            Console.WriteLine($"local cores={await computation.RunAsync(() => Jobs.Cores())}");
        }

        if (args.Length > 0)
        {
            await using var remote = await Cluster.ConnectAsync(args[0]);
            await using var computation = await remote.ScheduleAsync();
            Console.WriteLine($"remote square={await computation.RunAsync(() => Jobs.Square(8))}");
            try
            {
                await using var refused = await Cluster.ConnectAsync(args[0], new RemoteClusterOptions { Security = new TransportSecurity(Secret: "not-the-secret") });
                Console.WriteLine("remote wrong-secret=accepted");
            }
            catch (FuncExecException e)
            {
                Console.WriteLine($"remote wrong-secret={e.GetType().Name}");
            }
        }

        public static class Jobs
        {
            public static int Square(int x) => x * x;

            public static int ProcessId() => Environment.ProcessId;

            public static string Cores() => string.Join(",", TaskContext.Current?.Cores ?? []);
        }
        """;

    [Fact]
    public async Task ConsoleApp_ReferencingFuncExecClientPackage_RunsLambdasOnLocalWorkersAndOnAScheduler()
    {
        output.WriteLine(packed.PackReport);
        var app = packed.NewFolder("app");
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="FuncExec.Client" Version="{packed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        // The package folder beside the machine's own sources, which the dependencies come from.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="funcexec-test" value="{packed.Packages}" />
              </packageSources>
            </configuration>
            """);

        // The scheduler and node are the repository's own build; the app finds the secret the
        // scheduler generated under FUNCEXEC_HOME by itself.
        var funcexec = Path.Combine(AppContext.BaseDirectory, "funcexec.dll");
        await using var scheduler = ChildProcess.Start(Dotnet.StartInfo("dotnet", app, packed.Home,
            ["exec", funcexec, "scheduler", "--ip-addr", "127.0.0.1", "--port", "0", "--udp-port", "0", "--no-dashboard"]));
        await scheduler.WaitForAsync("listening on");
        var address = $"127.0.0.1:{ListeningPort().Match(scheduler.Output).Groups[1].Value}";
        await using var node = ChildProcess.Start(Dotnet.StartInfo("dotnet", app, packed.Home, ["exec", funcexec, "node", "--scheduler", address, "-c", "1"]));
        await node.WaitForAsync("joined scheduler");

        var run = (await Dotnet.RunAsync(app, packed.Home, "run", "-c", "Release", "--", address)).EnsureSuccess();
        output.WriteLine(run.ToString());

        Assert.True(File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "FuncExec.Worker.runtimeconfig.json")), "the worker's runtimeconfig is not in the app's output");
        Assert.Contains("local square=49", run.Stdout, StringComparison.Ordinal);
        var pids = WorkerPid().Match(run.Stdout);
        Assert.True(pids.Success, run.ToString());
        Assert.NotEqual(pids.Groups[2].Value, pids.Groups[1].Value);
        Assert.Matches(@"local cores=\d", run.Stdout);
        Assert.Contains("remote square=64", run.Stdout, StringComparison.Ordinal);
        // Every exception the user catches is a FuncExecException, the protocol's refusal included.
        Assert.Contains("remote wrong-secret=ProtocolException", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AbstractionsPackage_DependsOnNothing_SoAJobAssemblyCarriesNoRoslynYamlOrAspNet()
    {
        var abstractions = Nuspec(packed.PackagePath("FuncExec.Abstractions"), out var files);
        Assert.Contains("lib/net10.0/FuncExec.Abstractions.dll", files);
        Assert.Contains("lib/net10.0/FuncExec.Abstractions.xml", files);
        Assert.DoesNotContain(abstractions.Descendants(), e => e.Name.LocalName is "dependency" or "frameworkReference");

        // The assembly itself references the base framework only.
        var dll = Path.Combine(AppContext.BaseDirectory, "FuncExec.Abstractions.dll");
        var referenced = System.Reflection.Assembly.LoadFrom(dll).GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.All(referenced, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard", $"FuncExec.Abstractions references {name}"));
    }

    [Fact]
    public void WorkerPackage_NeitherItNorWhatItBringsDependsOnRoslynOrYamlDotNet()
    {
        // The function layer a worker runs depends on the abstractions only; the compiler is the client's, task files their own package's.
        Assert.Equal(["FuncExec.Abstractions"], Dependencies("FuncExec.Core"));
        var closure = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["FuncExec.Worker"]);
        while (pending.TryPop(out var id))
        {
            foreach (var dependency in Dependencies(id))
            {
                if (closure.Add(dependency) && File.Exists(packed.PackagePath(dependency)))
                {
                    pending.Push(dependency);
                }
            }
        }

        Assert.Contains("FuncExec.Core", closure);
        Assert.DoesNotContain(closure, id => id.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || id == "YamlDotNet");
        Assert.Contains("Microsoft.CodeAnalysis.CSharp", Dependencies("FuncExec.Client"));
        Assert.Contains("YamlDotNet", Dependencies("FuncExec.TaskFiles"));
    }

    [Fact]
    public void Packages_CarryMetadataDocsReadmeAndTheWorkersRuntimeConfig()
    {
        var client = Nuspec(packed.PackagePath("FuncExec.Client"), out var clientFiles);
        Assert.Contains("lib/net10.0/FuncExec.Client.xml", clientFiles);
        Assert.Contains("README.md", clientFiles);
        Assert.Equal("FuncExec contributors", Field(client, "authors"));
        Assert.Equal("MIT", Field(client, "license"));
        Assert.Equal("README.md", Field(client, "readme"));
        Assert.DoesNotContain("Package Description", Field(client, "description"), StringComparison.Ordinal);
        Assert.Contains(client.Descendants().Where(e => e.Name.LocalName == "frameworkReference"), e => (string?)e.Attribute("name") == "Microsoft.AspNetCore.App");
        Assert.Contains(client.Descendants().Where(e => e.Name.LocalName == "dependency"), e => (string?)e.Attribute("id") == "FuncExec.Node" && (string?)e.Attribute("version") == packed.Version);
        var repository = client.Descendants().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");

        Nuspec(packed.PackagePath("FuncExec.Worker"), out var workerFiles);
        Assert.Contains("buildTransitive/net10.0/FuncExec.Worker.targets", workerFiles);
        Assert.Contains("buildTransitive/net10.0/FuncExec.Worker.runtimeconfig.json", workerFiles);

        foreach (var id in new[] { "FuncExec.Core", "FuncExec.TaskFiles", "FuncExec.Protocol", "FuncExec.Scheduler", "FuncExec.Node", "FuncExec.Dashboard", "FuncExec.Reporting", "FuncExec.Journal", "FuncExec.Server", "FuncExec.Broker", "FuncExec.Slurm" })
        {
            var nuspec = Nuspec(packed.PackagePath(id), out _);
            Assert.Contains("FuncExec.Client", Field(nuspec, "description"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LibraryPackages_ReleaseBuildOnLinuxX64_CarryReadyToRunCodeAndTheirIL()
    {
        // A Release build on Linux x64 compiles the libraries and the worker ahead of time (build/ReadyToRun.targets), so
        // a program that references the packages starts without JIT-compiling them; elsewhere they are packed as IL only.
        if (PackedFuncExec.Configuration != "Release" || !OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            output.WriteLine($"packed in {PackedFuncExec.Configuration} on {RuntimeInformation.OSArchitecture}: IL only, nothing to check");
            return;
        }

        foreach (var id in new[] { "FuncExec.Abstractions", "FuncExec.Core", "FuncExec.Protocol", "FuncExec.Scheduler", "FuncExec.Node", "FuncExec.Worker", "FuncExec.Client", "FuncExec.TaskFiles" })
        {
            using var zip = ZipFile.OpenRead(packed.PackagePath(id));
            var entry = zip.GetEntry($"lib/net10.0/{id}.dll");
            Assert.True(entry is not null, $"{id} has no lib/net10.0/{id}.dll");
            using var image = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(image);
            }

            image.Position = 0;
            using var pe = new PEReader(image);
            Assert.True(pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0, $"{id}'s assembly holds no ReadyToRun code");
            // The IL stays, for any other platform and for a framework the native code no longer matches.
            var metadata = pe.GetMetadataReader();
            Assert.Contains(metadata.MethodDefinitions, m => metadata.GetMethodDefinition(m).RelativeVirtualAddress != 0);
        }
    }

    private static XElement Nuspec(string package, out List<string> files)
    {
        Assert.True(File.Exists(package), $"{package} was not packed");
        using var zip = ZipFile.OpenRead(package);
        files = [.. zip.Entries.Select(e => e.FullName)];
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XElement.Load(stream);
    }

    private List<string> Dependencies(string id) =>
        [.. Nuspec(packed.PackagePath(id), out _).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id") ?? "")];

    private static string Field(XElement nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

    [GeneratedRegex(@"listening on [^\s]*:(\d+)")]
    private static partial Regex ListeningPort();

    [GeneratedRegex(@"local worker-pid=(\d+) app-pid=(\d+)")]
    private static partial Regex WorkerPid();
}
