using System.Text.Json;
using System.Text.Json.Serialization;
using FuncExec.Dashboard.Api;

namespace FuncExec.Dashboard;

/// <summary>The dashboard's JSON, generated at build time (camelCase, as the page reads it).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DashboardView))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(ComputationsView))]
[JsonSerializable(typeof(HistoryView))]
[JsonSerializable(typeof(IReadOnlyList<TaskView>))]
[JsonSerializable(typeof(TaskErrorView))]
[JsonSerializable(typeof(ActionReply))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(AuthView))]
[JsonSerializable(typeof(LoginRequest))]
internal sealed partial class DashboardJson : JsonSerializerContext;
