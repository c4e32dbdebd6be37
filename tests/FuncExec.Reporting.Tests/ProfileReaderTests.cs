using FuncExec.Core.Tasks;
using FuncExec.Reporting.Internal;

namespace FuncExec.Reporting.Tests;

public sealed class ProfileReaderTests
{
    private const string Header = "record,time_us,task_id,name,computation,worker,cores,status,attempts,queued_us,started_us,finished_us,busy_workers,workers,queued,completed";
    private const string Worker = "worker,1000,,,,n/worker-0,0,,,,,,,,,";
    private const string Task = "task,3000,1,one,1,n/worker-0,0,succeeded,1,1000,2000,3000,,,,";
    private const string Sample = "sample,2000,,,,,,,,,,,1,1,0,0";

    [Fact]
    public void Parse_EveryRecordKind_ReadsTheirFields()
    {
        var profile = Parse(Header, Worker, Task, Sample, "worker-died,4000,,,,n/worker-0,,\"killed, on request\",,,,,,,,", "");

        var task = Assert.Single(profile.Tasks);
        Assert.Equal(new ProfileTaskRow(3, 1, "one", 1, "n/worker-0", task.Cores, TaskState.Succeeded, 1, 1000, 2000, 3000), task);
        Assert.Equal([0], task.Cores);
        Assert.Equal(new ProfileSampleRow(2000, 1, 1, 0, 0), Assert.Single(profile.Samples));
        Assert.Equal(
            [new ProfileWorkerRow(1000, "n/worker-0", 0, false, ""), new ProfileWorkerRow(4000, "n/worker-0", null, true, "killed, on request")],
            profile.Workers);
    }

    [Theory]
    [InlineData("task,3000,1,one,1,n/worker-0,0,succeeded,1,1000,2000,3000,,,", "run.csv:4: expected 16 fields as in the header, found 15")]
    [InlineData("task,3000,x1,one,1,n/worker-0,0,succeeded,1,1000,2000,3000,,,,", "run.csv:4: task_id 'x1' is not a whole number of 0 or more")]
    [InlineData("task,3000,1,one,1,n/worker-0,0,exploded,1,1000,2000,3000,,,,", "run.csv:4: status 'exploded' is not one of succeeded, failed, timed-out, cancelled, killed")]
    [InlineData("task,3000,1,one,1,n/worker-0,0,succeeded,1,1000,2000,,,,,", "run.csv:4: finished_us is empty; a task record needs it")]
    [InlineData("task,3000,1,one,1,n/worker-0,0,succeeded,1,1000,5000,3000,,,,", "run.csv:4: started_us 5000 is after finished_us 3000")]
    [InlineData("task,3000,1,one,1,n/worker-0,0-1,succeeded,1,1000,2000,3000,,,,", "run.csv:4: cores '0-1' should be core numbers separated by ';', like 0;1")]
    [InlineData("sample,2000,,,,,,,,,,,1,-1,0,0", "run.csv:4: workers '-1' is not a whole number of 0 or more")]
    [InlineData("worker,1000,,,,,0,,,,,,,,,", "run.csv:4: a worker record needs the worker's name")]
    [InlineData(",1000,,,,,0,,,,,,,,,", "run.csv:4: the record kind (first field) is empty; expected task, sample, worker or worker-died")]
    [InlineData("task,3000,1,on\"e,1,n/worker-0,0,succeeded,1,1000,2000,3000,,,,", "run.csv:4: a quote inside an unquoted field; quote the whole field and double the quote (\"\")")]
    [InlineData("task,3000,1,\"one\"x,1,n/worker-0,0,succeeded,1,1000,2000,3000,,,,", "run.csv:4: 'x' after a closing quote; a quoted field ends at a comma or the line's end")]
    public void Parse_MalformedRecord_ErrorNamesTheFileAndLine(string bad, string expected)
    {
        var error = Assert.Throws<ProfileFormatException>(() => Parse(Header, Worker, Sample, bad, Task, ""));

        Assert.Equal(expected, error.Message);
        Assert.Equal(4, error.Line);
        Assert.Equal("run.csv", error.Path);
    }

    [Fact]
    public void Parse_QuotedLineBreaksBefore_CountsPhysicalLines()
    {
        var error = Assert.Throws<ProfileFormatException>(() => Parse(
            Header,
            "task,3000,1,\"three",
            "line",
            "name\",1,n/worker-0,0,succeeded,1,1000,2000,3000,,,,",
            "sample,oops,,,,,,,,,,,1,1,0,0",
            ""));

        Assert.Equal("run.csv:5: time_us 'oops' is not a whole number of 0 or more", error.Message);
    }

    [Fact]
    public void Parse_UnclosedQuote_ErrorNamesTheLineItOpened()
    {
        var error = Assert.Throws<ProfileFormatException>(() => Parse(Header, Task, "task,3000,2,\"never closed,1", Sample, ""));

        Assert.Equal("run.csv:3: a quoted field is not closed before the end of the file", error.Message);
    }

    [Theory]
    [InlineData("", "run.csv: the file is empty; a profile starts with the header 'record,time_us,")]
    [InlineData("name,value\n", "run.csv:1: not a FuncExec profile: column 1 of the header should be 'record', found 'name'")]
    [InlineData("record,time_us,task_id\n", "run.csv:1: not a FuncExec profile: column 4 of the header should be 'name', found nothing")]
    public void Parse_NotAProfile_SaysWhatTheHeaderShouldBe(string text, string expectedStart)
    {
        var error = Assert.Throws<ProfileFormatException>(() => ProfileReader.Parse(new StringReader(text), "run.csv"));

        Assert.StartsWith(expectedStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LastLineCutShort_IsSkipped()
    {
        var profile = ProfileReader.Parse(new StringReader(string.Join('\n', Header, Task, Sample, "task,4000,2,two,1,n/wor")), "run.csv");

        Assert.Single(profile.Tasks);
        Assert.Single(profile.Samples);
    }

    [Fact]
    public void Parse_NewerFile_SkipsUnknownKindsAndExtraColumnsAndAcceptsCrLf()
    {
        var profile = ProfileReader.Parse(
            new StringReader(string.Join("\r\n", Header + ",gpu", Task + ",7", "node,1000" + new string(',', 15), "", Sample + ",", "")),
            "run.csv");

        Assert.Equal(1, Assert.Single(profile.Tasks).TaskId);
        Assert.Single(profile.Samples);
    }

    [Fact]
    public void Parse_ErrorColumn_ReadsTheErrorWithItsCausesAndOlderRowsWithout()
    {
        const string error = "\"{\"\"type\"\":\"\"System.AggregateException\"\",\"\"message\"\":\"\"two, <b>\"\",\"\"stack\"\":\"\"at A\\nat B\"\","
            + "\"\"inner\"\":[{\"\"type\"\":\"\"E1\"\",\"\"message\"\":\"\"first\"\",\"\"inner\"\":[{\"\"type\"\":\"\"E3\"\",\"\"message\"\":\"\"deep\"\"}]},"
            + "{\"\"type\"\":\"\"E2\"\",\"\"message\"\":\"\"second\"\",\"\"stack\"\":\"\"at C\"\"}]}\"";

        var profile = Parse(Header + ",error", Worker + ",", "task,3000,1,one,1,n/worker-0,0,failed,1,1000,2000,3000,,,,," + error, Task + ",", Sample + ",", "");

        var failed = profile.Tasks[0].Error!;
        Assert.Equal(("System.AggregateException", "two, <b>", "at A\nat B"), (failed.Type, failed.Message, failed.StackTrace));
        Assert.Equal(["first", "second"], failed.Inner.Select(e => e.Message));
        Assert.Equal("deep", Assert.Single(failed.Inner[0].Inner).Message);
        Assert.Equal("at C", failed.Inner[1].StackTrace);
        Assert.Null(profile.Tasks[1].Error);
    }

    [Fact]
    public void Parse_ErrorNotAJsonErrorObject_ErrorNamesTheLine()
    {
        var error = Assert.Throws<ProfileFormatException>(() => Parse(Header + ",error", Sample + ",", "task,3000,1,one,1,n/worker-0,0,failed,1,1000,2000,3000,,,,,not json", ""));

        Assert.StartsWith("run.csv:3: error should be a JSON object {\"type\",\"message\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_File_NamesThePathAsGiven()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Header + "\nsample,1,2\n");

            var error = Assert.Throws<ProfileFormatException>(() => ProfileReport.Load(path));

            Assert.Equal($"{path}:2: expected 16 fields as in the header, found 3", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Profile Parse(params string[] lines) => ProfileReader.Parse(new StringReader(string.Join('\n', lines)), "run.csv");
}
