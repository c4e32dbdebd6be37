using FuncExec;

// An ASP.NET minimal API whose endpoint runs its work on FuncExec. The ICluster comes from dependency injection:
// an embedded cluster (worker processes on this machine, each pinned to a core) unless FuncExec:Client:Scheduler in
// appsettings.json, or the variable FuncExec__Client__Scheduler, names a scheduler to send the work to.
//
//   dotnet run --project examples/WebApi -c Release        then: curl http://127.0.0.1:5080/sqrt/2
//   FuncExec__Client__Scheduler=host:9700 dotnet run --project examples/WebApi -c Release
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddFuncExecClient(builder.Configuration.GetSection("FuncExec"));
var app = builder.Build();

// A static method by name, run in a worker process: a slow or crashing call there leaves this server as it is.
app.MapGet("/sqrt/{x:double}", async (double x, ICluster cluster, CancellationToken cancellationToken) =>
{
    await using var computation = await cluster.ScheduleAsync(cancellationToken: cancellationToken);
    var root = await computation.RunAsync<double>(TaskSpec.ForMethod("System.Math.Sqrt", x), cancellationToken);
    return Results.Ok(new { x, sqrt = root });
});

// The app's own endpoints stand beside FuncExec's: this one answers without it.
app.MapGet("/", (ICluster cluster) => Results.Ok(new { workers = cluster.WorkerCount }));

app.Run();
