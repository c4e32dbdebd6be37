using System.Security.Cryptography;
using System.Text;
using FuncExec.Node.Components;
using FuncExec.Protocol.V1;
using FuncExec.Tests.Files;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Node.Tests.Components;

/// <summary>The store stays in its folder, within its size cap, and each client within its share (issue 9).</summary>
public sealed class ComponentStoreLimitsTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Root => Path.Combine(_directory.Path, "components");

    [Theory]
    [InlineData("../../x")]
    [InlineData("/etc")]
    [InlineData("/usr/share")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    public void PathOf_IdNotASha256_RefusedAndNotContained(string id)
    {
        var store = new ComponentStore(Root);
        var component = new ComponentRef { Sha256 = id, FileName = "passwd" };

        var refused = Assert.Throws<InvalidDataException>(() => store.PathOf(component));

        Assert.Contains("64 lowercase hexadecimal characters", refused.Message, StringComparison.Ordinal);
        Assert.False(store.Contains(component));
        Assert.Throws<InvalidDataException>(() => store.BundleFiles(component));
    }

    [Fact]
    public void Contains_ComponentFolderIsALinkOutside_FalseAndNothingRead()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_directory.Path, "outside")).FullName;
        System.IO.File.WriteAllText(Path.Combine(outside, "secret.txt"), "secret");
        var store = new ComponentStore(Root);
        var component = new ComponentRef { Sha256 = Sha("anything"), FileName = "secret.txt" };
        Directory.CreateSymbolicLink(Path.Combine(store.Root, component.Sha256), outside);

        Assert.False(store.Contains(component));
        var refused = Assert.Throws<InvalidDataException>(() => store.BundleFiles(component));
        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BundleFiles_LinkInsideAComponentPointingOutside_LeftOut()
    {
        var outside = Path.Combine(_directory.Path, "secret.txt");
        System.IO.File.WriteAllText(outside, "secret");
        var store = new ComponentStore(Root);
        var component = store.Put(Encoding.UTF8.GetBytes("main"), "App.dll");
        var folder = Path.GetDirectoryName(store.PathOf(component))!;
        System.IO.File.CreateSymbolicLink(Path.Combine(folder, "stolen.txt"), outside);
        Directory.CreateSymbolicLink(Path.Combine(folder, "stolen-dir"), _directory.Path);

        var files = store.BundleFiles(component);

        Assert.Equal(["App.dll"], files.Select(f => f.Name));
    }

    [Fact]
    public void PutBundle_OverTheCap_EvictsTheLeastRecentlyUsed()
    {
        var store = new ComponentStore(Root, maxSize: 100);
        var a = Put(store, "a", 40);
        var b = Put(store, "b", 40);
        Assert.True(store.Contains(a)); // a is now used more recently than b

        var c = Put(store, "c", 40);

        Assert.True(store.Contains(a));
        Assert.False(store.Contains(b));
        Assert.False(Directory.Exists(Path.Combine(store.Root, b.Sha256)));
        Assert.True(store.Contains(c));
        Assert.Equal(80, store.TotalSize);
    }

    [Fact]
    public void PutBundle_PinnedComponentsFillTheCap_RefusedNamingTheOptionAndNotKept()
    {
        var store = new ComponentStore(Root, maxSize: 100);
        var a = Put(store, "a", 40);
        var b = Put(store, "b", 40);
        store.Pin(a);
        store.Pin(b);

        var refused = Assert.Throws<InvalidDataException>(() => Put(store, "c", 40));

        Assert.Contains("--max-store-size", refused.Message, StringComparison.Ordinal);
        Assert.True(store.Contains(a));
        Assert.True(store.Contains(b));
        Assert.Equal(80, store.TotalSize);
        Assert.Equal(2, Directory.EnumerateDirectories(store.Root).Count());
    }

    [Fact]
    public void Constructor_ExistingComponents_CountedAgainstTheCap()
    {
        var first = new ComponentStore(Root);
        Put(first, "a", 60);

        var reopened = new ComponentStore(Root, maxSize: 100);
        var b = Put(reopened, "b", 60);

        Assert.Equal(60, reopened.TotalSize);
        Assert.True(reopened.Contains(b));
    }

    [Fact]
    public void Upload_BeyondTheClientsPendingLimit_RefusedNamingTheOptionAndNothingWritten()
    {
        var store = new ComponentStore(Root);
        using var uploads = new ComponentUploads(store, maxPending: 100, TimeSpan.FromMinutes(10), new FakeTimeProvider());
        var (a, aFiles) = Bundle("a", 60);
        var (b, bFiles) = Bundle("b", 60);

        Assert.Null(uploads.Upload(a, aFiles, maxFileSize: 1000));
        var refused = uploads.Upload(b, bFiles, maxFileSize: 1000);

        Assert.NotNull(refused);
        Assert.Contains("--max-pending-uploads of 100", refused, StringComparison.Ordinal);
        Assert.False(store.Contains(b));
        Assert.Equal(60, uploads.PendingBytes);
    }

    [Fact]
    public void Reference_PendingUploads_NoLongerCountAgainstTheLimit()
    {
        var store = new ComponentStore(Root);
        using var uploads = new ComponentUploads(store, maxPending: 100, TimeSpan.FromMinutes(10), new FakeTimeProvider());
        var (a, aFiles) = Bundle("a", 60);
        var (b, bFiles) = Bundle("b", 60);
        uploads.Upload(a, aFiles, maxFileSize: 1000);

        Assert.Null(uploads.Reference(1, [a]));

        Assert.Equal(0, uploads.PendingBytes);
        Assert.Null(uploads.Upload(b, bFiles, maxFileSize: 1000));
        Assert.True(store.IsPinned(a));
    }

    [Fact]
    public void ExpireOld_UploadNoComputationUsedAfterTheGrace_Removed()
    {
        var time = new FakeTimeProvider();
        var store = new ComponentStore(Root);
        using var uploads = new ComponentUploads(store, maxPending: 1000, TimeSpan.FromMinutes(10), time);
        var (a, aFiles) = Bundle("a", 60);
        var (b, bFiles) = Bundle("b", 60);
        uploads.Upload(a, aFiles, maxFileSize: 1000);
        uploads.Upload(b, bFiles, maxFileSize: 1000);
        uploads.Reference(1, [b]);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.True(store.Contains(a));
        time.Advance(TimeSpan.FromMinutes(2)); // the expiry timer fires

        Assert.False(store.Contains(a));
        Assert.False(Directory.Exists(Path.Combine(store.Root, a.Sha256)));
        Assert.True(store.Contains(b));
        Assert.Equal(0, uploads.PendingBytes);
    }

    [Fact]
    public void ExpireOld_UploadUsedByTasksOutsideAComputation_KeptUntilTheClientLeaves()
    {
        var time = new FakeTimeProvider();
        var store = new ComponentStore(Root);
        var uploads = new ComponentUploads(store, maxPending: 1000, TimeSpan.FromMinutes(10), time);
        var (a, aFiles) = Bundle("a", 60);
        uploads.Upload(a, aFiles, maxFileSize: 1000);
        uploads.MarkUsed(a);

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.True(store.Contains(a));
        Assert.Equal(60, uploads.PendingBytes);
        uploads.Dispose();

        Assert.False(store.Contains(a));
    }

    [Fact]
    public void Dispose_ClientLeft_ItsPendingUploadsRemovedItsComputationsComponentsKeptUnpinned()
    {
        var store = new ComponentStore(Root);
        var uploads = new ComponentUploads(store, maxPending: 1000, TimeSpan.FromMinutes(10), new FakeTimeProvider());
        var (a, aFiles) = Bundle("a", 60);
        var (b, bFiles) = Bundle("b", 60);
        uploads.Upload(a, aFiles, maxFileSize: 1000);
        uploads.Upload(b, bFiles, maxFileSize: 1000);
        uploads.Reference(1, [b]);

        uploads.Dispose();

        Assert.False(store.Contains(a));
        Assert.True(store.Contains(b));
        Assert.False(store.IsPinned(b));
    }

    [Fact]
    public void Dispose_AnotherClientUsesThePendingComponent_Kept()
    {
        var store = new ComponentStore(Root);
        using var other = new ComponentUploads(store, maxPending: 1000, TimeSpan.FromMinutes(10), new FakeTimeProvider());
        var uploads = new ComponentUploads(store, maxPending: 1000, TimeSpan.FromMinutes(10), new FakeTimeProvider());
        var (a, aFiles) = Bundle("a", 60);
        uploads.Upload(a, aFiles, maxFileSize: 1000);
        other.Reference(7, [a]);

        uploads.Dispose();

        Assert.True(store.Contains(a));
    }

    [Fact]
    public void Receive_PiecesInOrder_StoredOnceTheHashMatches()
    {
        var store = new ComponentStore(Root);
        using var receiver = new ComponentReceiver(store, maxFileSize: 10_000);
        var main = Encoding.UTF8.GetBytes(new string('m', 2500));
        var component = new ComponentRef { Sha256 = Convert.ToHexStringLower(SHA256.HashData(main)), FileName = "App.dll" };

        Assert.Null(receiver.Receive(Piece(component, "App.dll", main, 0, 1000)));
        Assert.Null(receiver.Receive(Piece(component, "App.dll", main, 1000, 1500)));
        Assert.False(store.Contains(component)); // not before its last piece
        Assert.Null(receiver.Receive(Piece(component, "lib/Dep.dll", "dep"u8.ToArray(), 0, 3)));
        Assert.Null(receiver.Receive(new ComponentChunk { Component = component, End = true }));

        Assert.True(store.Contains(component));
        Assert.Equal(main, System.IO.File.ReadAllBytes(store.PathOf(component)));
        Assert.Equal(["App.dll", "lib/Dep.dll"], store.BundleFiles(component).Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(store.IncomingRoot) && Directory.EnumerateFileSystemEntries(store.IncomingRoot).Any());
    }

    [Fact]
    public void Receive_ContentNotMatchingItsId_RefusedOnceAndNothingStored()
    {
        var store = new ComponentStore(Root);
        using var receiver = new ComponentReceiver(store, maxFileSize: 10_000);
        var component = new ComponentRef { Sha256 = Sha("something else"), FileName = "App.dll" };

        Assert.Null(receiver.Receive(Piece(component, "App.dll", "forged"u8.ToArray(), 0, 6)));
        var refused = receiver.Receive(new ComponentChunk { Component = component, End = true });

        Assert.Contains("does not match its hash", refused, StringComparison.Ordinal);
        Assert.False(store.Contains(component));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.IncomingRoot));
    }

    [Theory]
    [InlineData("../escaped.dll", 0, "'..'")]
    [InlineData("/tmp/escaped.dll", 0, "absolute")]
    [InlineData("App.dll", 5, "does not follow")]
    public void Receive_BadPiece_RefusedNamingItAndTheRestDropped(string name, long offset, string reason)
    {
        var store = new ComponentStore(Root);
        using var receiver = new ComponentReceiver(store, maxFileSize: 10_000);
        var main = "main"u8.ToArray();
        var component = new ComponentRef { Sha256 = Convert.ToHexStringLower(SHA256.HashData(main)), FileName = "App.dll" };

        var refused = receiver.Receive(new ComponentChunk { Component = component, Name = name, Offset = offset, FileSize = 100, Data = Google.Protobuf.ByteString.CopyFrom(main) });
        var rest = receiver.Receive(Piece(component, "App.dll", main, 0, main.Length));
        var end = receiver.Receive(new ComponentChunk { Component = component, End = true });

        Assert.Contains(reason, refused, StringComparison.Ordinal);
        Assert.Null(rest);
        Assert.Null(end);
        Assert.False(store.Contains(component));
        Assert.Empty(Directory.EnumerateFiles(_directory.Path, "escaped*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Receive_FileOverTheNodesCap_RefusedNamingTheOption()
    {
        var store = new ComponentStore(Root);
        using var receiver = new ComponentReceiver(store, maxFileSize: 10);
        var component = new ComponentRef { Sha256 = Sha("x"), FileName = "App.dll" };

        var refused = receiver.Receive(new ComponentChunk { Component = component, Name = "App.dll", FileSize = 1_000_000_000, Data = Google.Protobuf.ByteString.CopyFromUtf8("x") });

        Assert.Contains("--max-file-size of 10", refused, StringComparison.Ordinal);
    }

    private static ComponentChunk Piece(ComponentRef component, string name, byte[] content, int offset, int count) => new()
    {
        Component = component,
        Name = name,
        Offset = offset,
        FileSize = content.Length,
        Data = Google.Protobuf.ByteString.CopyFrom(content, offset, count),
    };

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static ComponentRef Put(ComponentStore store, string seed, int size)
    {
        var (component, files) = Bundle(seed, size);
        store.PutBundle(component, files, maxFileSize: 1000);
        return component;
    }

    private static (ComponentRef Component, List<(string Name, ReadOnlyMemory<byte> Content)> Files) Bundle(string seed, int size)
    {
        var content = Encoding.UTF8.GetBytes(seed.PadRight(size, '.'));
        var component = new ComponentRef { Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)), FileName = seed + ".dll" };
        return (component, [(component.FileName, content)]);
    }
}
