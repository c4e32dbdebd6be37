using System.CommandLine;
using System.Reflection;
using System.Text;
using System.Text.Json;
using FuncExec.Client.Compilation;
using FuncExec.Core.Functions;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec exec</c>: call one function here and now, and print its result.</summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var function = new Option<string?>("--function", "-f") { Description = "Full name of a public static method, e.g. System.Math.Min" };
        var code = new Option<string?>("--code", "-c") { Description = "C# statements or an expression, e.g. \"return Enumerable.Range(1, 10).Sum();\"" };
        var parameters = new Option<string[]>("--params", "-p")
        {
            Description = "Arguments: each is a JSON literal (1, 2.5, true, [3,9,4], {\"a\":1}) where valid JSON, else a string",
            AllowMultipleArgumentsPerToken = true,
            Arity = ArgumentArity.ZeroOrMore,
        };
        var assembly = new Option<FileInfo?>("--assembly", "-a") { Description = "An assembly outside the framework that holds the function" };
        var command = new Command("exec", "Call one function in this process and print its result as JSON")
        {
            function, code, parameters, assembly,
        };
        command.SetAction(parse => Run(
            parse.GetValue(function),
            parse.GetValue(code),
            parse.GetValue(parameters) ?? [],
            parse.GetValue(assembly)));
        return command;
    }

    private static int Run(string? function, string? code, string[] parameters, FileInfo? assemblyFile)
    {
        if ((function is null) == (code is null))
        {
            Console.Error.WriteLine("exec: give exactly one of --function NAME or --code SOURCE");
            return 2;
        }

        var args = parameters.Select(ParamParser.Parse).ToArray();
        object? value;
        try
        {
            if (function is not null)
            {
                Assembly? assembly = null;
                if (assemblyFile is not null)
                {
                    if (!assemblyFile.Exists)
                    {
                        Console.Error.WriteLine($"exec: assembly {assemblyFile.FullName} does not exist");
                        return 2;
                    }

                    assembly = UserAssemblies.Load(assemblyFile.FullName);
                }

                var bound = new MethodResolver().Resolve(function, args, assembly);
                value = bound.Invoke(args);
                Console.WriteLine(ResultText(bound.SerializeResult(value)));
            }
            else
            {
                var compiled = new CodeCompiler(Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "code")).Compile(code!);
                value = new CodeRunner().Load(compiled)(args);
                // Written as a function's result is (NaN and the infinities too), so both print alike.
                Console.WriteLine(ResultText(FuncExecJson.SerializeResult(value)));
            }
        }
        catch (FuncExecException ex)
        {
            Console.Error.WriteLine($"exec: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The called function threw: report it as the task's failure, like a worker would.
            Console.Error.WriteLine($"exec: {function ?? "code"} threw {ex.GetType().FullName}: {ex.Message}");
            Console.Error.WriteLine(ex.StackTrace);
            return 1;
        }

        return 0;
    }

    /// <summary>How <c>exec</c> prints a result, from its JSON as a worker writes it (<see cref="FuncExecJson.SerializeResult"/>):
    /// strings bare (so NaN and the infinities, which travel as strings, print as <c>NaN</c>, <c>Infinity</c>,
    /// <c>-Infinity</c>), everything else as JSON.</summary>
    internal static string ResultText(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.String
            ? document.RootElement.GetString()!
            : Encoding.UTF8.GetString(json);
    }
}
