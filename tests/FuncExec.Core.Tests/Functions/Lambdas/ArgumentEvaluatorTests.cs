using System.Linq.Expressions;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Core.Tests.Functions.Lambdas;

public sealed class ArgumentEvaluatorTests
{
    private int _reads;

    public Holder? Inner { get; set; }

    public int Counted
    {
        get
        {
            _reads++;
            return 9;
        }
    }

    [Fact]
    public void Evaluate_PropertyOfClosure_ReadsOnce()
    {
        var value = ArgumentEvaluator.Evaluate(Body(() => Counted));

        Assert.Equal(9, value);
        Assert.Equal(1, _reads);
    }

    [Fact]
    public void Evaluate_NestedClosureField_ReadsValue()
    {
        var outer = "o";
        Func<Expression> make = () =>
        {
            var inner = outer + "i";
            return Body(() => outer + inner);
        };

        Assert.Equal("ooi", ArgumentEvaluator.Evaluate(make()));
    }

    [Fact]
    public void Evaluate_MemberOfNull_ThrowsAsTheLambdaWould()
    {
        Inner = null;

        Assert.Throws<NullReferenceException>(() => ArgumentEvaluator.Evaluate(Body(() => Inner!.Value)));
    }

    [Fact]
    public void Evaluate_PropertyGetterThrows_ExceptionUnwrapped()
    {
        Inner = new Holder();

        Assert.Throws<InvalidOperationException>(() => ArgumentEvaluator.Evaluate(Body(() => Inner.Broken)));
    }

    private static Expression Body<T>(Expression<Func<T>> lambda) => lambda.Body;

    public sealed class Holder
    {
        public int Value { get; } = 1;

        public int Broken => Value > 0 ? throw new InvalidOperationException("broken") : Value;
    }
}
