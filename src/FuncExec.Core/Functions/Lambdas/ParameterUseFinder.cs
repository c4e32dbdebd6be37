using System.Linq.Expressions;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>Finds the first use of one of a lambda's own parameters inside an argument expression.</summary>
/// <remarks>
/// Only the outer lambda's parameters matter: a parameter declared inside the argument, such as the
/// <c>i</c> of <c>xs.Select(i =&gt; i * 2)</c>, has a value when the argument is evaluated on the client.
/// </remarks>
internal sealed class ParameterUseFinder : ExpressionVisitor
{
    private readonly IReadOnlyCollection<ParameterExpression> _parameters;

    private ParameterUseFinder(IReadOnlyCollection<ParameterExpression> parameters)
    {
        _parameters = parameters;
    }

    private ParameterExpression? Found { get; set; }

    /// <summary>The first of <paramref name="parameters"/> that <paramref name="expression"/> reads, or null.</summary>
    public static ParameterExpression? Find(Expression expression, IReadOnlyCollection<ParameterExpression> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        var finder = new ParameterUseFinder(parameters);
        finder.Visit(expression);
        return finder.Found;
    }

    /// <inheritdoc />
    public override Expression? Visit(Expression? node) => Found is null ? base.Visit(node) : node;

    /// <inheritdoc />
    protected override Expression VisitParameter(ParameterExpression node)
    {
        if (_parameters.Contains(node))
        {
            Found = node;
        }

        return node;
    }
}
