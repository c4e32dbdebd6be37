using System.Text.Json;
using FuncExec.Core.Tasks;

namespace FuncExec.IntegrationTests;

/// <summary>Many distinct code tasks that compile together, and the check that workers ran them from shared images.</summary>
internal static class CodeBatches
{
    /// <summary>
    /// <paramref name="count"/> distinct codes, each returning <c>"&lt;its assembly's name&gt;|&lt;i&gt;|&lt;run&gt;"</c>, then one
    /// that does not compile and one single expression. <paramref name="run"/> makes the texts new, so they
    /// compile now rather than come from an earlier run's cache.
    /// </summary>
    public static List<TaskSpec> Tasks(int count, string run) =>
    [
        .. Enumerable.Range(0, count).Select(i =>
            IntegrationTests.Tasks.Code($"c{i}", $"return System.Reflection.Assembly.GetExecutingAssembly().GetName().Name + \"|{i}|{run}\";")),
        IntegrationTests.Tasks.Code("broken", $"return y; // {run}"),
        IntegrationTests.Tasks.Code("expression", $"6 * 7 /* {run} */"),
    ];

    /// <summary>Each code gave its own result from an image shared with others; the broken one failed alone, before running.</summary>
    public static void AssertRanFromSharedImages(IReadOnlyList<TaskReport> reports, int count, string run)
    {
        var images = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            Assert.True(reports[i].State == TaskState.Succeeded, $"{reports[i].State}: {reports[i].Error}");
            var parts = JsonSerializer.Deserialize<string>(reports[i].ResultJson!)!.Split('|');
            Assert.Equal([$"{i}", run], parts[1..]);
            Assert.StartsWith("FuncExec.UserCode.batch-", parts[0], StringComparison.Ordinal);
            images.Add(parts[0]);
        }

        Assert.InRange(images.Count, 1, count / 2);
        Assert.Equal(TaskState.Failed, reports[count].State);
        Assert.Contains("(1,8): error CS0103", reports[count].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, reports[count].Attempts);
        Assert.Equal("42", reports[count + 1].ResultJson);
    }
}
