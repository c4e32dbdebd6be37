using System.Linq.Expressions;
using System.Reflection;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>The errors <see cref="LambdaCapture"/> reports, each saying what to write instead.</summary>
internal static class LambdaErrors
{
    private const string Rule = "the lambda must be a call to a public static method, like () => Jobs.F(x)";
    private const int MaxShown = 120;

    public static LambdaNotSupportedException NotACall(LambdaExpression lambda) =>
        new($"{Rule}; got {Shorten(lambda.Body.ToString())} ({lambda.Body.NodeType})");

    public static LambdaNotSupportedException InstanceMethod(MethodInfo method) =>
        new($"{Rule}; {method.Name} is an instance method; call a static method, passing the object's data as arguments");

    public static LambdaNotSupportedException MethodNotPublic(MethodInfo method) =>
        new($"{Rule}; {Name(method)} is not public; make it public");

    public static LambdaNotSupportedException TypeNotPublic(MethodInfo method, Type type) =>
        new($"{Rule}; {Name(method)} is declared in {TypeNames.FullName(type)}, which is not public; make the type (and any type it is nested in) public");

    public static LambdaNotSupportedException GenericType(MethodInfo method) =>
        new($"{Rule}; {Name(method)} is declared in the generic type {TypeNames.Format(method.DeclaringType!)}; move it to a non-generic class, making it a generic method if needed");

    public static LambdaNotSupportedException ByRef(MethodInfo method, ParameterInfo parameter) =>
        new($"{Rule}; parameter '{parameter.Name}' of {Name(method)} is ref or out, and a remote call cannot write back to the caller's variable; return the value instead");

    public static LambdaNotSupportedException UsesParameter(MethodInfo method, ParameterInfo parameter, ParameterExpression used) =>
        new($"argument '{parameter.Name}' of {Name(method)} uses the lambda's parameter '{used.Name}', which has no value on the client; arguments are evaluated before the call is sent, so pass a captured variable or a constant instead");

    public static LambdaNotSupportedException UsesContext(MethodInfo method, ParameterInfo parameter, ParameterExpression used) =>
        new($"argument '{parameter.Name}' of {Name(method)} uses the lambda's parameter '{used.Name}', the task's context, which exists only on the worker; pass it whole ({used.Name}) to a TaskContext parameter or as {used.Name}.CancellationToken to a CancellationToken parameter, and read what else you need from it inside the job method");

    public static LambdaNotSupportedException NotSerializable(MethodInfo method, ParameterInfo parameter, Type type, string reason, Exception? inner = null) =>
        new($"argument '{parameter.Name}' of {Name(method)} has type {TypeNames.Format(type)}, which cannot be sent as JSON: {reason}; pass the data itself (a string, number, array or record) instead", inner);

    private static string Name(MethodInfo method) => TypeNames.FullName(method.DeclaringType!) + "." + method.Name;

    private static string Shorten(string text) => text.Length <= MaxShown ? text : string.Concat(text.AsSpan(0, MaxShown - 3), "...");
}
