using FuncExec.Node.Workers;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Tests.Workers;

/// <summary>Issue 14, target 4: the node remembers what the tasks of open computations load, for its warm spare.</summary>
public sealed class SparePreparationTests
{
    private static readonly ComponentRef Jobs = new() { Sha256 = new string('a', 64), FileName = "Jobs.dll" };
    private static readonly ComponentRef Other = new() { Sha256 = new string('b', 64), FileName = "Other.dll" };

    [Fact]
    public void Observe_FirstLambdaOfAComputation_AsksToLoadItsAssemblyAndBindTheCall()
    {
        var preparation = new SparePreparation();

        var prepare = preparation.Observe(Lambda(7, "Jobs.F", Jobs));

        Assert.NotNull(prepare);
        Assert.Equal(7, prepare.Computation);
        Assert.Equal(Jobs, Assert.Single(prepare.Components));
        Assert.Equal("Jobs.F", Assert.Single(prepare.Lambdas).MethodName);
    }

    [Fact]
    public void Observe_SameCallAgain_AsksNothing()
    {
        var preparation = new SparePreparation();
        _ = preparation.Observe(Lambda(7, "Jobs.F", Jobs));

        Assert.Null(preparation.Observe(Lambda(7, "Jobs.F", Jobs)));
        Assert.NotNull(preparation.Observe(Lambda(7, "Jobs.G", Jobs)));
        Assert.Null(preparation.Observe(Lambda(7, "Jobs.F", Jobs)));
    }

    [Fact]
    public void Observe_MethodTaskWithAnAssembly_AsksToLoadItOnce()
    {
        var preparation = new SparePreparation();
        var task = new TaskAssignment { Computation = 3, Method = new MethodCall { Name = "Other.Run", Assembly = Other } };

        var prepare = preparation.Observe(task);

        Assert.Equal(Other, Assert.Single(prepare!.Components));
        Assert.Empty(prepare.Lambdas);
        Assert.Null(preparation.Observe(task.Clone()));
    }

    [Fact]
    public void Observe_TaskOfNoComputationOrFrameworkMethod_AsksNothing()
    {
        var preparation = new SparePreparation();

        Assert.Null(preparation.Observe(Lambda(0, "Jobs.F", Jobs)));
        Assert.Null(preparation.Observe(new TaskAssignment { Computation = 3, Method = new MethodCall { Name = "System.Math.Max" } }));
        Assert.Null(preparation.Observe(new TaskAssignment { Computation = 3, Command = new CommandCall { File = "true" } }));
        Assert.Empty(preparation.All());
    }

    [Fact]
    public void All_AfterForget_HoldsOnlyOpenComputations()
    {
        var preparation = new SparePreparation();
        _ = preparation.Observe(Lambda(1, "Jobs.F", Jobs));
        _ = preparation.Observe(Lambda(2, "Other.G", Other));

        preparation.Forget(1);

        var all = Assert.Single(preparation.All());
        Assert.Equal(2, all.Computation);
        Assert.NotNull(preparation.Observe(Lambda(1, "Jobs.F", Jobs)));
    }

    [Fact]
    public void Observe_ManyCalls_RemembersABoundedNumber()
    {
        var preparation = new SparePreparation();
        for (var i = 0; i < SparePreparation.MaxCallsPerComputation + 10; i++)
        {
            _ = preparation.Observe(Lambda(1, $"Jobs.F{i}", Jobs));
        }

        Assert.Equal(SparePreparation.MaxCallsPerComputation, Assert.Single(preparation.All()).Lambdas.Count);
    }

    private static TaskAssignment Lambda(long computation, string method, ComponentRef assembly)
    {
        var call = new LambdaMethodCall { MethodName = method, Assembly = assembly };
        call.ParameterTypes.Add(typeof(int).AssemblyQualifiedName);
        return new TaskAssignment { Computation = computation, Lambda = call };
    }
}
