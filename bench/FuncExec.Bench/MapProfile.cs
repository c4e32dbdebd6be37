using System.Buffers;
using System.Diagnostics;
using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using FuncExec.Client.Internal;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Bench;

/// <summary>
/// The <c>map-profile</c> mode: the CPU cost per item of each step of a map's path measured in this process, one step at
/// a time, with no cluster: capturing the items' arguments, running a chunk as a worker does, reading its results.
/// </summary>
internal static class MapProfile
{
    public static void Run(int items, int chunk)
    {
        Expression<Func<int, int>> call = x => Jobs.Noop(x);
        var inputs = Enumerable.Range(0, items).ToArray();

        // Each item captured on its own, as every map did before the template (a sample: it is slow).
        var sample = Math.Min(items, 20_000);
        var clock = Stopwatch.StartNew();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < sample; i++)
        {
            var item = inputs[i];
            Expression<Func<int>> one = () => Jobs.Noop(item);
            _ = LambdaCapture.Capture(one);
        }

        Report("capture each item on its own", clock.Elapsed, sample);

        // The template: the call captured once, each item written into its chunk's arguments.
        var chunks = new List<byte[]>();
        clock.Restart();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var template = LambdaCapture.TryCaptureMap<int>(call) ?? throw new InvalidOperationException("no template for x => Jobs.Noop(x)");
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            for (var start = 0; start < items; start += chunk)
            {
                template.WriteChunk(buffer, writer, inputs, start, Math.Min(chunk, items - start));
                chunks.Add(buffer.WrittenSpan.ToArray());
            }
        }

        Report("write arguments (template)", clock.Elapsed, items);

        // The worker: each chunk run by the typed runner, then by the general path.
        var bound = BoundLambda.Create(typeof(Jobs).GetMethod(nameof(Jobs.Noop))!);
        var runner = bound.ChunkRunner ?? throw new InvalidOperationException("no typed runner for Jobs.Noop");
        var results = new List<byte[]>();
        clock.Restart();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var arguments in chunks)
        {
            var called = 0;
            results.Add(runner.Run(arguments, ref called));
        }

        Report("worker: run chunks (typed runner)", clock.Elapsed, items);
        clock.Restart();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var general = 0;
        foreach (var arguments in chunks.Take(Math.Max(1, sample / chunk)))
        {
            using var document = JsonDocument.Parse(arguments);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                _ = bound.SerializeResult(bound.Invoke(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(item), null));
                general++;
            }
        }

        Report("worker: run chunks (per item, boxed)", clock.Elapsed, general);

        // The client: each chunk's result as the scheduler hands it over (a string), read into the map's results.
        var texts = results.Select(r => Encoding.UTF8.GetString(r)).ToArray();
        var output = new int[items];
        clock.Restart();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var c = 0; c < texts.Length; c++)
        {
            var count = Math.Min(chunk, items - (c * chunk));
            var report = new TaskReport { Id = c, Name = "chunk", State = TaskState.Succeeded, ResultJson = texts[c] };
            MapResults.Read(report, output, c * chunk, count);
        }

        Report("client: read results into the list", clock.Elapsed, items);
        clock.Restart();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var text in texts)
        {
            _ = JsonSerializer.Deserialize<int[]>(text, FuncExec.Core.Functions.FuncExecJson.Options);
        }

        Report("client: read results as int[] (before)", clock.Elapsed, items);
        if (!output.SequenceEqual(inputs))
        {
            throw new InvalidOperationException("the profile's results are wrong");
        }
    }

    // The process's CPU time since the last report, which a shared machine's load distorts far less than the wall clock.
    private static TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;

    private static void Report(string step, TimeSpan elapsed, int items)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Console.WriteLine($"{step,-42} {(cpu - _cpu).TotalMilliseconds * 1e6 / items,8:F0} ns/item of CPU  ({items:N0} items in {elapsed.TotalMilliseconds:F0} ms of wall time)");
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    }
}
