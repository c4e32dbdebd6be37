using YamlDotNet.Core;

namespace FuncExec.TaskFiles;

/// <summary>
/// Pays, on a thread of its own, what the first YAML read costs a process: on the way to a document's first event
/// YamlDotNet's static constructors build a regular expression with <c>RegexOptions.Compiled</c> (code generated and
/// JIT-compiled: 25-50 ms of a 0.3 s <c>funcexec run</c>), and its parser's code is prepared. <c>funcexec run</c> of a
/// YAML file starts it before it parses its command line, so that this runs beside the parse, on the other core,
/// instead of after it.
/// </summary>
internal static class YamlWarmUp
{
    // The shapes of a task file: a mapping, a block list, a flow mapping, a flow list, plain and quoted scalars.
    private const string Document = "tasks:\n  - {name: a, params: [1, 'b']}\n";

    /// <summary>Whether <paramref name="path"/> names a YAML task file (by its extension, as <see cref="TaskFile.Open"/> reads it).</summary>
    public static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts the warm-up on a background thread of its own (not the thread pool's, which a 2-core machine
    /// needs for the run itself) and returns that thread.</summary>
    public static Thread Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "YAML warm-up" };
        thread.Start();
        return thread;
    }

    // A constant, valid document: nothing here can fail but the process itself.
    private static void Run()
    {
        var parser = new Parser(new StringReader(Document));
        while (parser.MoveNext())
        {
        }
    }
}
