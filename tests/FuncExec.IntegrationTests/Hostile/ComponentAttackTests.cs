using System.Security.Cryptography;
using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.V1;
using FuncExec.TestJobs;
using Google.Protobuf;
using Xunit.Abstractions;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>
/// Issue 9, "content-addressed means content-addressed": an authenticated client names components by path, or
/// floods the scheduler with uploads, against a real <c>funcexec scheduler</c> with a secret and a real node.
/// </summary>
public sealed class ComponentAttackTests(ComponentAttackCluster cluster, ITestOutputHelper output) : IClassFixture<ComponentAttackCluster>
{
    private const string Secret = ComponentAttackCluster.Secret;

    // The scheduler starts near 100 MB; on main, one such reference made it build a 640 MB frame per node and
    // grow to gigabytes. What the tests send fits in far less than this.
    private const long RssBound = 600L * 1024 * 1024;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private FuncexecProcess Scheduler => cluster.Scheduler;

    private FuncexecProcess Node => cluster.Node;

    [Theory]
    [InlineData("../../../../../../etc", "passwd")]
    [InlineData("/etc", "passwd")]
    [InlineData("/usr", "share")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", "App.dll")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", "App.dll")]
    public async Task OpenAndSubmit_ComponentIdThatIsAPath_RefusedNamingItNothingShippedGoodClientServed(string id, string fileName)
    {
        var rssBefore = RssOf(Scheduler.Pid);
        await using (var rogue = await RogueComponentClient.ConnectAsync(cluster.Address, Secret))
        {
            var component = new ComponentRef { Sha256 = id, FileName = fileName };

            var opened = await rogue.OpenAsync(component);
            var submitted = await rogue.SubmitAsync(component);

            Assert.Equal(0, opened.Computation);
            Assert.Contains("64 lowercase hexadecimal characters", opened.Error, StringComparison.Ordinal);
            Assert.NotNull(submitted.SubmitRefused);
            Assert.Contains("64 lowercase hexadecimal characters", submitted.SubmitRefused.Reason, StringComparison.Ordinal);
        }

        await Scheduler.WaitForAsync($"refused a submission: component id '{id}'");
        await AssertGoodClientServedAsync();
        var rssAfter = RssOf(Scheduler.Pid);
        output.WriteLine($"scheduler RSS: {rssBefore / 1048576} MB before {id}, {rssAfter / 1048576} MB after");
        Assert.True(rssAfter < RssBound, $"scheduler RSS {rssBefore / 1048576} MB before, {rssAfter / 1048576} MB after");
        Assert.DoesNotContain("refused component", Node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(NodeComponentFolders(), folder => folder.Length != 64);
    }

    [Fact]
    public async Task Open_ValidIdWhoseFolderIsALinkToALargeDirectory_RefusedAndNothingShipped()
    {
        var id = Convert.ToHexStringLower(SHA256.HashData("planted"u8));
        Directory.CreateSymbolicLink(Path.Combine(cluster.SchedulerStore.FullName, id), "/usr");
        await using (var rogue = await RogueComponentClient.ConnectAsync(cluster.Address, Secret))
        {
            var opened = await rogue.OpenAsync(new ComponentRef { Sha256 = id, FileName = "share" });

            Assert.Equal(0, opened.Computation);
            Assert.Contains("was not uploaded", opened.Error, StringComparison.Ordinal);
        }

        await AssertGoodClientServedAsync();
        Assert.True(RssOf(Scheduler.Pid) < RssBound);
        Assert.DoesNotContain(id, NodeComponentFolders());
    }

    [Fact]
    public async Task Upload_FloodBeyondTheClientsLimit_RefusedNamingTheOptionAndGoneWhenTheClientLeaves()
    {
        var uploaded = new List<ComponentRef>();
        await using (var rogue = await RogueComponentClient.ConnectAsync(cluster.Address, Secret, "flooder"))
        {
            for (var i = 0; i < 12; i++)
            {
                var content = RandomNumberGenerator.GetBytes(1024 * 1024);
                var component = new ComponentRef { Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)), FileName = $"flood{i}.bin" };
                var upload = new ComponentUpload { Component = component };
                upload.Files.Add(new ComponentFile { Name = component.FileName, Content = ByteString.CopyFrom(content) });
                rogue.Send(new ClusterEnvelope { Component = upload });
                uploaded.Add(component);
            }

            // The first four fit in its 4 MiB; the rest were refused, and opening one says why.
            var opened = await rogue.OpenAsync(uploaded[^1]);

            Assert.Equal(0, opened.Computation);
            Assert.Contains("--max-pending-uploads of 4,194,304", opened.Error, StringComparison.Ordinal);
            Assert.InRange(FloodBytes(), 1, ComponentAttackCluster.MaxPendingUploads);
        }

        // Its uploads go once the scheduler has seen it leave. The "client left" line is no signal: the
        // scheduler logs one per address per 10 s, and the other tests' clients come from this address too.
        using (var guard = new CancellationTokenSource(Patience))
        {
            while (FloodBytes() > 0)
            {
                await Task.Delay(100, guard.Token);
            }
        }

        output.WriteLine($"scheduler RSS after the flood: {RssOf(Scheduler.Pid) / 1048576} MB");
        Assert.Equal(0, FloodBytes());
        await AssertGoodClientServedAsync();
    }

    /// <summary>A client with the secret runs a lambda (its assembly streamed to the real node) and gets every result.</summary>
    private async Task AssertGoodClientServedAsync()
    {
        await using var client = await Cluster.ConnectAsync(cluster.Address, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        await using var computation = await client.ScheduleAsync();

        var squares = await computation.MapAsync(Enumerable.Range(1, 20).ToArray(), x => ApiJobs.Square(x)).WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(1, 20).Select(x => x * x), squares);
    }

    /// <summary>What the scheduler's store holds of the flood (the good client's components stay there, as cache).</summary>
    private long FloodBytes() =>
        cluster.SchedulerStore.EnumerateFiles("flood*.bin", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Sum(SizeUnlessGone);

    // A file the scheduler deletes between the listing and the reading of its size (it removes a leaving client's
    // uploads while the test waits for that) holds nothing any more.
    private static long SizeUnlessGone(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private string[] NodeComponentFolders()
    {
        var components = Path.Combine(cluster.NodeStore.FullName, "components");
        return Directory.Exists(components) ? [.. Directory.EnumerateDirectories(components).Select(Path.GetFileName).Where(n => n != ".incoming").Select(n => n!)] : [];
    }

    /// <summary>The resident memory of process <paramref name="pid"/>, from /proc.</summary>
    private static long RssOf(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
