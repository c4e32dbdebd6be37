using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncExec.Hosting.Tests;

/// <summary>The ASP.NET example in examples/WebApi, run as it is built: its endpoint runs a task on the injected ICluster.</summary>
public sealed partial class WebApiExampleTests
{
    [Fact]
    public async Task WebApi_GetSqrt_RunsOnTheInjectedClusterAndReturnsTheResult()
    {
        // Built with the solution, in the configuration these tests run in; started in its output folder, where its
        // appsettings.json is (an embedded cluster of 2 workers).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var folder = Path.Combine(RepositoryRoot(), "examples", "WebApi", "bin", configuration, "net10.0");
        await using var app = FuncexecProcess.StartProgram(Path.Combine(folder, "WebApi.dll"), folder, "--urls", "http://127.0.0.1:0");
        await app.WaitForAsync("Now listening on");
        var url = Listening().Match(app.Output).Value;

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var answer = await http.GetFromJsonAsync<JsonElement>("/sqrt/16");

        Assert.Equal(4.0, answer.GetProperty("sqrt").GetDouble());
        Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>("/")).GetProperty("workers").GetInt32());
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FuncExec.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex Listening();
}
