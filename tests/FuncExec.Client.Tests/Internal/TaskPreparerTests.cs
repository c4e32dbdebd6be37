using FuncExec.Client.Internal;
using FuncExec.Node.Components;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Client.Tests.Internal;

/// <summary>Issue 14: a task's assembly is looked up on disk at most once a <see cref="TaskPreparer.RecheckAfter"/>
/// for the tasks that name it, and one rebuilt in place is still shipped anew.</summary>
public sealed class TaskPreparerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-preparer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void StoreAssembly_RebuiltInPlace_ShippedAnewOnceTheRecheckTimePassed()
    {
        var time = new FakeTimeProvider();
        var preparer = new TaskPreparer(new ComponentStore(Path.Combine(_folder, "store")), Path.Combine(_folder, "code"), time);
        var path = Path.Combine(_folder, "Jobs.dll");
        File.Copy(typeof(TaskPreparerTests).Assembly.Location, path);
        var first = preparer.StoreAssembly(path);

        // Rebuilt: other content, a later write time.
        File.Copy(typeof(TaskPreparer).Assembly.Location, path, overwrite: true);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var soonAfter = preparer.StoreAssembly(path);
        time.Advance(TaskPreparer.RecheckAfter);
        var later = preparer.StoreAssembly(path);

        Assert.Equal(first.Sha256, soonAfter.Sha256);
        Assert.NotEqual(first.Sha256, later.Sha256);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), later.Sha256);
    }

    [Fact]
    public void StoreAssembly_MissingFile_FailsNamingItEachTime()
    {
        var time = new FakeTimeProvider();
        var preparer = new TaskPreparer(new ComponentStore(Path.Combine(_folder, "store")), Path.Combine(_folder, "code"), time);
        var path = Path.Combine(_folder, "Gone.dll");

        // A failed lookup is not remembered: the next task looks again, and finds the file once it is there.
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => preparer.StoreAssembly(path)).Message);
        File.Copy(typeof(TaskPreparerTests).Assembly.Location, path);
        Assert.NotEmpty(preparer.StoreAssembly(path).Sha256);
    }
}
