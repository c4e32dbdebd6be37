using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>A real <c>prometheus</c> server (the Debian package's), started on a free port of 127.0.0.1 with a
/// temporary folder for its data, scraping one target every second; killed and its folder removed on dispose.</summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _folder;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private PrometheusServer(Process process, DirectoryInfo folder, Uri url)
    {
        _process = process;
        _folder = folder;
        Url = url;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Its HTTP API, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    /// <summary>What it printed so far, for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts scraping <paramref name="target"/> (<c>host:port</c>) at <paramref name="path"/>, sending
    /// <paramref name="bearer"/> as its <c>authorization</c> credentials.</summary>
    public static PrometheusServer Start(string target, string path, string bearer)
    {
        var folder = Directory.CreateTempSubdirectory("funcexec-prometheus-");
        var config = Path.Combine(folder.FullName, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: funcexec
                metrics_path: {path}
                authorization:
                  type: Bearer
                  credentials: {bearer}
                static_configs:
                  - targets: ['{target}']
            """);
        var port = FreePort();
        var start = new ProcessStartInfo("prometheus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"--config.file={config}");
        start.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(folder.FullName, "data")}");
        start.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        return new PrometheusServer(Process.Start(start)!, folder, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    /// <summary>Asks <c>/api/v1/query</c>; each result's value by the value of its label <paramref name="label"/>.
    /// Null while the server does not answer yet.</summary>
    public async Task<Dictionary<string, double>?> QueryAsync(HttpClient http, string query, string label)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(Url, $"api/v1/query?query={Uri.EscapeDataString(query)}"));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var result in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var name = result.GetProperty("metric").TryGetProperty(label, out var l) ? l.GetString()! : string.Empty;
                values[name] = double.Parse(result.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            }

            return values;
        }
        catch (HttpRequestException)
        {
            return null; // Not listening yet.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _folder.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.AppendLine(line);
        }
    }
}
