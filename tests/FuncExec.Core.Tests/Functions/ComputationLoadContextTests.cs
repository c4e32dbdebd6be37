using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text;
using FuncExec.Core.Functions;
using FuncExec.Core.Functions.Internal;
using FuncExec.Core.Functions.Lambdas;
using FuncExec.Core.Tests.Tasks;
using FuncExec.Tests.Files;
using FuncExec.Tests.Functions;
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

    [Fact]
    public void LoadComponent_WithDepsJson_ItsRidSpecificAssemblyAndNativeLibraryResolveThroughIt()
    {
        using var directory = new TemporaryDirectory();
        var (plugin, helper, native) = PluginWithManifest(directory.Path);
        var context = new ComputationLoadContext(3, directory.Path);
        try
        {
            var assembly = context.LoadComponent(plugin);
            // Loaded by name, as a package loads its provider: only the manifest says where it is.
            var loaded = context.LoadFromAssemblyName(new AssemblyName(Path.GetFileNameWithoutExtension(helper)));

            Assert.Same(context, AssemblyLoadContext.GetLoadContext(loaded));
            Assert.Equal(helper, loaded.Location);
            Assert.NotEqual(IntPtr.Zero, NativeLibrary.Load(native, assembly, null));
        }
        finally
        {
            context.Close();
        }
    }

    [Fact]
    public void Close_AfterLoadingThroughDepsJson_ContextUnloads()
    {
        using var directory = new TemporaryDirectory();
        var (plugin, helper, native) = PluginWithManifest(directory.Path);

        var unloaded = LoadThroughManifestAndClose(plugin, Path.GetFileNameWithoutExtension(helper), native, directory.Path);
        for (var i = 0; unloaded.IsAlive && i < 50; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(unloaded.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadThroughManifestAndClose(string plugin, string helper, string native, string files)
    {
        var context = new ComputationLoadContext(4, files);
        var assembly = context.LoadComponent(plugin);
        var method = assembly.GetType("Plugin.Jobs")!.GetMethod("Modes")!;
        Assert.Equal(2, ((System.Collections.ICollection)method.Invoke(null, [Enum.ToObject(method.GetParameters()[0].ParameterType, 0)])!).Count);
        Assert.NotNull(context.LoadFromAssemblyName(new AssemblyName(helper)));
        Assert.NotEqual(IntPtr.Zero, NativeLibrary.Load(native, assembly, null));

        context.Close();
        return new WeakReference(context);
    }

    /// <summary>
    /// A plugin with a <c>NAME.deps.json</c> naming a helper assembly under <c>runtimes/unix/lib</c> and a native
    /// library under <c>runtimes/RID/native</c> (a copy of the runtime's own <c>libSystem.Native.so</c>):
    /// neither is where a search beside the plugin would find it.
    /// </summary>
    private static (string Plugin, string Helper, string Native) PluginWithManifest(string directory)
    {
        var plugin = Compile(directory);
        var helper = Compile(Path.Combine(directory, "runtimes", "unix", "lib", "net10.0"), "Helper", "namespace Helper; public static class Marker { }");
        var native = "native" + Guid.NewGuid().ToString("N");
        var rid = RuntimeInformation.RuntimeIdentifier;
        var nativeFile = Path.Combine(directory, "runtimes", rid, "native", $"lib{native}.so");
        Directory.CreateDirectory(Path.GetDirectoryName(nativeFile)!);
        File.Copy(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "libSystem.Native.so"), nativeFile);
        var (pluginName, helperName) = (Path.GetFileNameWithoutExtension(plugin), Path.GetFileNameWithoutExtension(helper));
        File.WriteAllText(Path.ChangeExtension(plugin, ".deps.json"), $$"""
            {
              "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0", "signature": "" },
              "targets": {
                ".NETCoreApp,Version=v10.0": {
                  "{{pluginName}}/1.0.0": { "dependencies": { "{{helperName}}": "1.0.0" }, "runtime": { "{{pluginName}}.dll": {} } },
                  "{{helperName}}/1.0.0": {
                    "runtimeTargets": {
                      "runtimes/unix/lib/net10.0/{{helperName}}.dll": { "rid": "unix", "assetType": "runtime" },
                      "runtimes/{{rid}}/native/lib{{native}}.so": { "rid": "{{rid}}", "assetType": "native" }
                    }
                  }
                }
              },
              "libraries": {
                "{{pluginName}}/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
                "{{helperName}}/1.0.0": { "type": "package", "serviceable": true, "sha512": "" }
              }
            }
            """);
        return (plugin, helper, native);
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

    private static string Compile(string directory, string prefix = "Plugin", string source = Source)
    {
        // A name of its own, so no other test's copy is in the default context.
        var name = prefix + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(directory);
        var references = TrustedPlatform.Paths.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList();
        if (!TrustedPlatform.Contains("FuncExec.Core"))
        {
            references.Add(MetadataReference.CreateFromFile(typeof(TaskContext).Assembly.Location));
        }

        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var path = Path.Combine(directory, name + ".dll");
        var emitted = compilation.Emit(path);
        Assert.True(emitted.Success, string.Join('\n', emitted.Diagnostics));
        return path;
    }
}
