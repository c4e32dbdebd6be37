using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text;
using FuncExec.Core.Functions;
using FuncExec.Core.Functions.Internal;
using FuncExec.Core.Functions.Lambdas;
using FuncExec.Core.Tests.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FuncExec.Core.Tests.Functions;

/// <summary>A computation's assemblies load into its own collectible context, and go away when it closes.</summary>
public sealed class ComputationLoadContextTests
{
    private const string Source = """
        using System.Collections.Generic;
        using System.Linq;
        using FuncExec;

        namespace Plugin;

        public sealed record Point(int X, int Y);

        public enum Mode { Slow, Fast }

        public static class Jobs
        {
            public static Point Move(Point p, List<int> steps, TaskContext ctx) => p with { X = p.X + steps.Sum() + (int)ctx.TaskId };

            public static List<Mode> Modes(Mode first) => new() { first, Mode.Fast };
        }
        """;

    [Fact]
    public void LoadComponent_DependencyOfFuncExec_IsTheDefaultContextsCopy()
    {
        using var directory = new TemporaryDirectory();
        var context = new ComputationLoadContext(1, directory.Path);
        try
        {
            var assembly = context.LoadComponent(Compile(directory.Path));
            var parameter = assembly.GetType("Plugin.Jobs")!.GetMethod("Move")!.GetParameters()[2];

            Assert.Same(context, AssemblyLoadContext.GetLoadContext(assembly));
            Assert.Same(typeof(TaskContext), parameter.ParameterType);
        }
        finally
        {
            context.Close();
        }
    }

    [Fact]
    public void FilesDirectoryOf_ComponentStore_IsComputationsFolderBesideIt() =>
        Assert.Equal(Path.Combine("/var/funcexec", "computations", "12"), ComputationLoadContext.FilesDirectoryOf("/var/funcexec/components", 12));

    [Fact]
    public void Close_AfterMethodsLambdasJsonAndMessagesOfItsTypes_ContextUnloads()
    {
        using var directory = new TemporaryDirectory();
        var path = Compile(directory.Path);

        var unloaded = UseAndClose(path, directory.Path);
        for (var i = 0; unloaded.IsAlive && i < 50; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(unloaded.IsAlive);
    }

    // Not inlined, so no local of the test method keeps the context or its types alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference UseAndClose(string path, string files)
    {
        var context = new ComputationLoadContext(2, files);
        var assembly = context.LoadComponent(path);
        var runtime = new FakeTaskRuntime(taskId: 100);

        var resolver = new MethodResolver();
        var args = JsonArgs.Of("""[{"x":1,"y":2},[3,4]]""");
        var moved = resolver.Resolve("Plugin.Jobs.Move", args, assembly);
        var point = moved.Invoke(args, runtime.Context);
        Assert.Equal("""{"X":108,"Y":2}""", Encoding.UTF8.GetString(moved.SerializeResult(point)));

        var mode = assembly.GetType("Plugin.Mode")!;
        var method = LambdaBinder.Bind("Plugin.Jobs.Modes", [mode.AssemblyQualifiedName!], [], assembly);
        var lambda = BoundLambda.Create(method);
        Assert.Equal("""["Slow","Fast"]""", Encoding.UTF8.GetString(lambda.SerializeResult(lambda.Invoke("""["slow"]"""u8, null))));

        runtime.Context.SendAsync(point).GetAwaiter().GetResult();
        runtime.Post(0, """{"x":5,"y":6}""");
        var received = (Task)typeof(TaskContext).GetMethod(nameof(TaskContext.ReceiveAsync))!.MakeGenericMethod(point!.GetType()).Invoke(runtime.Context, [CancellationToken.None])!;
        received.GetAwaiter().GetResult();
        Assert.Equal("""{"X":108,"Y":2}""", runtime.Sent.Single().Json);

        context.Close();
        return new WeakReference(context);
    }

    private static string Compile(string directory)
    {
        // A name of its own, so no other test's copy is in the default context.
        var name = "Plugin" + Guid.NewGuid().ToString("N");
        var references = new List<MetadataReference>(CompilationReferences.All);
        if (!TrustedPlatform.Contains("FuncExec.Core"))
        {
            references.Add(MetadataReference.CreateFromFile(typeof(TaskContext).Assembly.Location));
        }

        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(Source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var path = Path.Combine(directory, name + ".dll");
        var emitted = compilation.Emit(path);
        Assert.True(emitted.Success, string.Join('\n', emitted.Diagnostics));
        return path;
    }
}
