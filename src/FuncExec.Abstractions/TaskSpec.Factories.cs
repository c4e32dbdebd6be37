using System.Text.Json;

namespace FuncExec;

public sealed partial record TaskSpec
{
    /// <summary>A call to a public static method by its full name, e.g. <c>TaskSpec.ForMethod("System.Math.Max", 3, 7)</c>.</summary>
    /// <param name="function">The method's full name, <c>Namespace.Type.Method</c>.</param>
    /// <param name="args">The arguments; each is written as JSON, and the overload is chosen by their shapes.</param>
    public static TaskSpec ForMethod(string function, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        return new TaskSpec { Name = function, Kind = FunctionKind.Method, Function = function, Params = ToJson(args) };
    }

    /// <summary>A C# code string compiled once on the client, e.g. <c>TaskSpec.ForCode("return args.Length;", 1, 2)</c>.</summary>
    /// <param name="code">Statements or one expression; the arguments are <c>args</c> (an array of <see cref="JsonElement"/>).</param>
    /// <param name="args">The arguments, each written as JSON.</param>
    public static TaskSpec ForCode(string code, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        return new TaskSpec { Name = "code", Kind = FunctionKind.Code, Code = code, Params = ToJson(args) };
    }

    /// <summary>An external command run as a pinned child process, e.g. <c>TaskSpec.ForCommand("sha256sum", "data.bin")</c>.</summary>
    /// <param name="command">The executable, on the PATH or by path.</param>
    /// <param name="args">Its arguments.</param>
    public static TaskSpec ForCommand(string command, params string[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        return new TaskSpec { Name = command, Kind = FunctionKind.Command, Command = command, Args = args };
    }

    private static JsonElement[] ToJson(object?[] args) =>
        Array.ConvertAll(args, static arg => arg is JsonElement element ? element : JsonSerializer.SerializeToElement(arg, arg?.GetType() ?? typeof(object)));
}
