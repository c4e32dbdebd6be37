using FuncExec.Node.Components;
using FuncExec.Tests.Files;

namespace FuncExec.Node.Tests.Components;

/// <summary>What a job leaves behind is read from the worker program and the assemblies' own metadata, not from their names.</summary>
public sealed class WorkerAssembliesTests
{
    [Theory]
    [InlineData("FuncExec.Worker")]
    [InlineData("FuncExec.Core")]
    [InlineData("FuncExec.Protocol")]
    [InlineData("FuncExec.Abstractions")]
    [InlineData("Google.Protobuf")]
    [InlineData("OpenTelemetry")]
    public void Has_WhatTheWorkerProgramLoads_True(string name) => Assert.True(WorkerAssemblies.Current.Has(name));

    [Fact]
    public void Has_FuncExecAssemblyNoWorkerLoads_True() => Assert.True(WorkerAssemblies.Current.Has("FuncExec.Node"));

    [Theory]
    [InlineData("Microsoft.CodeAnalysis.CSharp")]
    [InlineData("YamlDotNet")]
    [InlineData("xunit.core")]
    [InlineData("FuncExec.NotThere")]
    [InlineData("../FuncExec.Node")]
    [InlineData("")]
    public void Has_PackageNoWorkerLoadsOrNoAssembly_False(string name) => Assert.False(WorkerAssemblies.Current.Has(name));

    [Fact]
    public void Has_JobAssemblyCalledFuncExec_FalseUnlessItIsFuncExecs()
    {
        using var job = new TemporaryDirectory();
        File.Copy(typeof(WorkerAssembliesTests).Assembly.Location, Path.Combine(job.Path, "FuncExec.Mine.dll"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "FuncExec.Node.dll"), Path.Combine(job.Path, "FuncExec.Renamed.dll"));
        File.WriteAllText(Path.Combine(job.Path, "FuncExec.Text.dll"), "not an assembly");

        Assert.False(WorkerAssemblies.Current.Has("FuncExec.Mine", job.Path));
        Assert.True(WorkerAssemblies.Current.Has("FuncExec.Renamed", job.Path));
        Assert.False(WorkerAssemblies.Current.Has("FuncExec.Text", job.Path));
    }

    [Fact]
    public void PutAssembly_WithoutManifest_TakesTheJobsOwnReferencesAndLeavesFuncExecAndTheWorkersBehind()
    {
        using var directory = new TemporaryDirectory();
        var app = Path.Combine(directory.Path, "app");
        Directory.CreateDirectory(app);
        // This test assembly as the job: it references FuncExec.Node (FuncExec's, in no worker), Google.Protobuf (the
        // worker's) and xunit (its own, which references xunit.abstractions).
        File.Copy(typeof(WorkerAssembliesTests).Assembly.Location, Path.Combine(app, "App.dll"));
        foreach (var name in new[] { "FuncExec.Node.dll", "FuncExec.Core.dll", "Google.Protobuf.dll", "xunit.core.dll", "xunit.abstractions.dll", "xunit.assert.dll" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, name), Path.Combine(app, name));
        }

        var store = new ComponentStore(Path.Combine(directory.Path, "components"));
        var bundle = store.ReadBundle(store.PutAssembly(Path.Combine(app, "App.dll"))).Select(f => f.Name).Order(StringComparer.Ordinal);

        Assert.Equal(["App.dll", "xunit.abstractions.dll", "xunit.assert.dll", "xunit.core.dll"], bundle);
    }
}
