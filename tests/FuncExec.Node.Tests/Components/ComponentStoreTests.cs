using System.Security.Cryptography;
using System.Text;
using FuncExec.Node.Components;
using FuncExec.Protocol.V1;
using FuncExec.Tests.Files;

namespace FuncExec.Node.Tests.Components;

/// <summary>Bundles from elsewhere keep their layout inside the component's folder and nothing outside it.</summary>
public sealed class ComponentStoreTests
{
    private static readonly byte[] Main = Encoding.UTF8.GetBytes("the main file");

    private static readonly ComponentRef Component = new()
    {
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Main)),
        FileName = "App.dll",
    };

    [Fact]
    public void PutBundle_RelativePaths_StoredInTheirFoldersAndReadBackTheSame()
    {
        using var directory = new TemporaryDirectory();
        var store = new ComponentStore(Path.Combine(directory.Path, "components"));

        store.PutBundle(Component, [File("App.dll", Main), File("Dep.dll", "dep"), File("runtimes/linux-x64/native/libn.so", "native")], maxFileSize: 1000);

        var folder = Path.GetDirectoryName(store.PathOf(Component))!;
        Assert.Equal("native", System.IO.File.ReadAllText(Path.Combine(folder, "runtimes", "linux-x64", "native", "libn.so")));
        var bundle = store.ReadBundle(Component);
        Assert.Equal("App.dll", bundle[0].Name);
        Assert.Equal(["App.dll", "Dep.dll", "runtimes/linux-x64/native/libn.so"], bundle.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("../escaped.dll", "'..'")]
    [InlineData("runtimes/../../escaped.so", "'..'")]
    [InlineData("/tmp/escaped.dll", "absolute")]
    [InlineData("runtimes//libn.so", "empty")]
    [InlineData("./Dep.dll", "'.'")]
    [InlineData("runtimes\\linux-x64\\libn.so", "backslash")]
    public void PutBundle_NameOutsideOrOddlyFormed_RefusedNamingItAndNothingWritten(string name, string reason)
    {
        using var directory = new TemporaryDirectory();
        var store = new ComponentStore(Path.Combine(directory.Path, "components"));

        var refused = Assert.Throws<InvalidDataException>(() => store.PutBundle(Component, [File("App.dll", Main), File(name, "evil")], maxFileSize: 1000));

        Assert.Contains($"'{name}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.False(store.Contains(Component));
        Assert.Empty(Directory.EnumerateFiles(directory.Path, "escaped*", SearchOption.AllDirectories));
    }

    [Fact]
    public void PutBundle_FileWhereAnotherNeedsAFolder_RefusedNamingIt()
    {
        using var directory = new TemporaryDirectory();
        var store = new ComponentStore(Path.Combine(directory.Path, "components"));

        var refused = Assert.Throws<InvalidDataException>(() => store.PutBundle(Component, [File("App.dll", Main), File("runtimes", "a file"), File("runtimes/libn.so", "native")], maxFileSize: 1000));

        Assert.Contains("'runtimes/libn.so'", refused.Message, StringComparison.Ordinal);
        Assert.False(store.Contains(Component));
    }

    [Fact]
    public void PutBundle_NestedFileOverTheCap_RefusedNamingIt()
    {
        using var directory = new TemporaryDirectory();
        var store = new ComponentStore(Path.Combine(directory.Path, "components"));

        var refused = Assert.Throws<InvalidDataException>(() => store.PutBundle(Component, [File("App.dll", Main), File("runtimes/linux-x64/native/libn.so", new string('x', 2000))], maxFileSize: 1000));

        Assert.Contains("runtimes/linux-x64/native/libn.so is 2,000 bytes, over this node's --max-file-size", refused.Message, StringComparison.Ordinal);
        Assert.False(store.Contains(Component));
    }

    [Fact]
    public void PutBundle_MainNameWithAFolder_Refused()
    {
        using var directory = new TemporaryDirectory();
        var store = new ComponentStore(Path.Combine(directory.Path, "components"));
        var component = new ComponentRef { Sha256 = Component.Sha256, FileName = "../App.dll" };

        var refused = Assert.Throws<InvalidDataException>(() => store.PutBundle(component, [File("../App.dll", Main)], maxFileSize: 1000));

        Assert.Contains("'../App.dll' is not a plain file name", refused.Message, StringComparison.Ordinal);
    }

    private static (string Name, ReadOnlyMemory<byte> Content) File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

    private static (string Name, ReadOnlyMemory<byte> Content) File(string name, byte[] content) => (name, content);
}
