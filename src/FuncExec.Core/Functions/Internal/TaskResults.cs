using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>Waits for the awaitable results of invoked methods, for the expression trees that call them.</summary>
internal static class TaskResults
{
    private static readonly MethodInfo WaitValueTaskMethod = typeof(TaskResults).GetMethod(nameof(WaitValueTask), BindingFlags.Public | BindingFlags.Static)!;
    private static readonly MethodInfo WaitValueTaskOfMethod = typeof(TaskResults).GetMethod(nameof(WaitValueTaskOf), BindingFlags.Public | BindingFlags.Static)!;
    private static readonly MethodInfo WaitTaskMethod = typeof(TaskResults).GetMethod(nameof(WaitTask), BindingFlags.Public | BindingFlags.Static)!;
    private static readonly MethodInfo WaitTaskOfMethod = typeof(TaskResults).GetMethod(nameof(WaitTaskOf), BindingFlags.Public | BindingFlags.Static)!;

    /// <summary>
    /// The method that waits for a value of <paramref name="type"/> and returns its result, and the
    /// result's type (<see cref="void"/> for <see cref="Task"/>); null when the type is not awaitable.
    /// </summary>
    public static MethodInfo? WaiterFor(Type type, out Type resultType)
    {
        resultType = type;
        if (type == typeof(ValueTask))
        {
            resultType = typeof(void);
            return WaitValueTaskMethod;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            resultType = type.GetGenericArguments()[0];
            return WaitValueTaskOfMethod.MakeGenericMethod(resultType);
        }

        if (!typeof(Task).IsAssignableFrom(type))
        {
            return null;
        }

        for (var t = type; t is not null && t != typeof(Task); t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Task<>))
            {
                resultType = t.GetGenericArguments()[0];
                return WaitTaskOfMethod.MakeGenericMethod(resultType);
            }
        }

        resultType = typeof(void);
        return WaitTaskMethod;
    }

    // GetAwaiter().GetResult() rethrows the method's own exception rather than an AggregateException.
    public static void WaitTask(Task task) => task.GetAwaiter().GetResult();

    public static T WaitTaskOf<T>(Task<T> task) => task.GetAwaiter().GetResult();

    // A ValueTask backed by an IValueTaskSource must not be waited on before it completes, so an
    // unfinished one is waited for as a Task.
    public static void WaitValueTask(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        task.AsTask().GetAwaiter().GetResult();
    }

    public static T WaitValueTaskOf<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
