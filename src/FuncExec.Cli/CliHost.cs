using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncExec.Cli;

/// <summary>
/// The generic host <c>funcexec scheduler</c> and <c>funcexec node</c> run on. Configuration comes in layers, each
/// over the one before: <c>funcexec.json</c> in the current folder (optional) or the file of <c>--config</c> (required),
/// then environment variables prefixed <c>FUNCEXEC_</c> (<c>FUNCEXEC_Scheduler__Port=9701</c>), then the options given
/// on the command line. SIGTERM and Ctrl+C stop the host (its console lifetime), which stops each service in turn.
/// </summary>
internal static class CliHost
{
    /// <summary>The settings file read from the current folder when <c>--config</c> is not given.</summary>
    public const string ConfigFileName = "funcexec.json";

    /// <summary>The prefix of environment variables that are settings: <c>FUNCEXEC_Node__DrainTimeout</c>.</summary>
    public const string EnvironmentPrefix = "FUNCEXEC_";

    /// <summary>The <c>--config FILE</c> option of a hosted verb.</summary>
    public static Option<FileInfo?> ConfigOption() => new("--config")
    {
        Description = $"A JSON settings file (default: {ConfigFileName} in the current folder, if there is one); FUNCEXEC_ environment variables and options given here win over it",
    };

    /// <summary>A host builder with the configuration layers and the CLI's logging.</summary>
    /// <exception cref="FileNotFoundException"><paramref name="config"/> is given but does not exist.</exception>
    /// <exception cref="InvalidDataException">The settings file is not valid JSON.</exception>
    public static HostApplicationBuilder CreateBuilder(FileInfo? config, IEnumerable<KeyValuePair<string, string?>> given, LogLevel level, TimeSpan shutdownTimeout)
    {
        if (config is not null && !config.Exists)
        {
            throw new FileNotFoundException($"--config {config.FullName}: no such file", config.FullName);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        var file = config?.FullName ?? Path.GetFullPath(ConfigFileName);
        builder.Configuration.AddJsonFile(file, optional: config is null, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddInMemoryCollection(given);
        CliLogging.Configure(builder.Logging, level);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = shutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        return builder;
    }

    /// <summary>
    /// Builds the generic host of a verb (<see cref="CliHost"/>), starts it, and runs <paramref name="wait"/> until the
    /// host stops. A settings file that cannot be read, settings that fail their checks and a service that cannot start
    /// (a port in use, a journal that cannot be opened) are reported as <c>VERB: message</c>, exit code 2.
    /// </summary>
    public static async Task<int> RunAsync(
        string verb,
        FileInfo? config,
        IEnumerable<KeyValuePair<string, string?>> given,
        LogLevel level,
        TimeSpan shutdownTimeout,
        Action<HostApplicationBuilder, IServiceCollection> addServices,
        Func<IHost, Task<int>> wait)
    {
        IHost host;
        try
        {
            var builder = CliHost.CreateBuilder(config, given, level, shutdownTimeout);
            addServices(builder, builder.Services);
            host = builder.Build();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException)
        {
            await Console.Error.WriteLineAsync($"{verb}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        using (host)
        {
            try
            {
                await host.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidDataException or Scheduler.Journal.JournalException
                or UnauthorizedAccessException or OptionsValidationException or InvalidOperationException or FormatException)
            {
                // A port in use (the protocol's or the dashboard's), limits that do not fit together, a state folder or
                // journal that cannot be used, or a setting that is wrong: the message names the option, key or file.
                await Console.Error.WriteLineAsync($"{verb}: {ex.Message}").ConfigureAwait(false);
                await host.StopAsync().ConfigureAwait(false);
                return 2;
            }

            return await wait(host).ConfigureAwait(false);
        }
    }
}
