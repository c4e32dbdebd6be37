using FuncExec;
using FuncExec.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// The namespace of IServiceCollection, as for ASP.NET Core's own Add* methods: builder.Services.AddFuncExecClient()
// is found with no using beyond the ones an app already has.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Runs FuncExec in a .NET generic host: a client (<see cref="ICluster"/> for dependency injection), a scheduler or a
/// node, each with options bound from configuration (the <c>FuncExec</c> section: <c>FuncExec:Client</c>,
/// <c>FuncExec:Scheduler</c>, <c>FuncExec:Node</c>) and validated when the host starts.
/// </summary>
public static class FuncExecServiceCollectionExtensions
{
    /// <summary>The configuration section FuncExec's settings are read from, unless another is given.</summary>
    public const string DefaultSection = "FuncExec";

    /// <summary>
    /// Registers an <see cref="ICluster"/> singleton, started when the host starts and disposed when it stops: connected
    /// to <see cref="FuncExecClientOptions.Scheduler"/> when that is set, else an embedded cluster in this process (with
    /// real worker processes). Its options are bound from <c>FuncExec:Client</c> of the host's configuration, then
    /// <paramref name="configure"/> runs on them.
    /// </summary>
    /// <remarks>
    /// Resolve <see cref="ICluster"/> once the host has started (in a request handler, or in a hosted service's
    /// <c>ExecuteAsync</c>); before, it throws <see cref="InvalidOperationException"/>. Invalid settings fail the host's
    /// start with an <see cref="OptionsValidationException"/> naming them.
    /// </remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets options in code, after configuration; null for none.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFuncExecClient(this IServiceCollection services, Action<FuncExecClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddClient(services, null, configure);
    }

    /// <summary>
    /// Registers an <see cref="ICluster"/> as <see cref="AddFuncExecClient(IServiceCollection, Action{FuncExecClientOptions}?)"/>
    /// does, with its options bound from the <c>Client</c> section of <paramref name="funcExec"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="funcExec">FuncExec's configuration section, e.g. <c>builder.Configuration.GetSection("FuncExec")</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFuncExecClient(this IServiceCollection services, IConfiguration funcExec)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(funcExec);
        return AddClient(services, funcExec, null);
    }

    private static IServiceCollection AddClient(IServiceCollection services, IConfiguration? funcExec, Action<FuncExecClientOptions>? configure) =>
        AddHosted<FuncExecClientOptions, ClusterHost>(services, funcExec, "Client", configure)
            .AddSingleton(sp => sp.GetRequiredService<ClusterHost>().Cluster);

    /// <summary>
    /// Runs a FuncExec scheduler as a hosted service: it listens for nodes and clients (and serves its dashboard) once the
    /// host has started, and on stop stops listening and closes its journal, which keeps queued work for its next start.
    /// Its options are bound from <c>FuncExec:Scheduler</c> of the host's configuration, then <paramref name="configure"/>
    /// runs on them.
    /// </summary>
    /// <remarks>Invalid settings fail the host's start with an <see cref="OptionsValidationException"/> naming them; a
    /// port in use fails it with the scheduler's own error.</remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets options in code, after configuration; null for none.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFuncExecScheduler(this IServiceCollection services, Action<FuncExecSchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddScheduler(services, null, configure);
    }

    /// <summary>
    /// Runs a FuncExec scheduler as <see cref="AddFuncExecScheduler(IServiceCollection, Action{FuncExecSchedulerOptions}?)"/>
    /// does, with its options bound from the <c>Scheduler</c> section of <paramref name="funcExec"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="funcExec">FuncExec's configuration section, e.g. <c>builder.Configuration.GetSection("FuncExec")</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFuncExecScheduler(this IServiceCollection services, IConfiguration funcExec)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(funcExec);
        return AddScheduler(services, funcExec, null);
    }

    private static IServiceCollection AddScheduler(IServiceCollection services, IConfiguration? funcExec, Action<FuncExecSchedulerOptions>? configure) =>
        AddHosted<FuncExecSchedulerOptions, SchedulerHost>(services, funcExec, "Scheduler", configure);

    /// <summary>
    /// Runs a FuncExec node as a hosted service: it starts one worker process per core (or as configured) and joins its
    /// scheduler once the host has started. On stop it drains: it takes no new task, hands back the tasks it holds but
    /// has not started, and lets the running ones finish for up to <see cref="FuncExecNodeOptions.DrainTimeout"/> (or the
    /// host's shutdown timeout, if sooner); tasks still running then are killed, and the scheduler queues them again
    /// for another node without using an attempt (the node left; it was not lost). Its options are bound from <c>FuncExec:Node</c> of the host's configuration, then
    /// <paramref name="configure"/> runs on them.
    /// </summary>
    /// <remarks>Invalid settings fail the host's start with an <see cref="OptionsValidationException"/> naming them.</remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets options in code, after configuration; null for none.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFuncExecNode(this IServiceCollection services, Action<FuncExecNodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddNode(services, null, configure);
    }

    /// <summary>
    /// Runs a FuncExec node as <see cref="AddFuncExecNode(IServiceCollection, Action{FuncExecNodeOptions}?)"/> does, with
    /// its options bound from the <c>Node</c> section of <paramref name="funcExec"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="funcExec">FuncExec's configuration section, e.g. <c>builder.Configuration.GetSection("FuncExec")</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFuncExecNode(this IServiceCollection services, IConfiguration funcExec)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(funcExec);
        return AddNode(services, funcExec, null);
    }

    private static IServiceCollection AddNode(IServiceCollection services, IConfiguration? funcExec, Action<FuncExecNodeOptions>? configure) =>
        AddHosted<FuncExecNodeOptions, NodeHost>(services, funcExec, "Node", configure);

    /// <summary>A role's options (see <see cref="AddRole"/>) and its hosted service, registered once as itself so that
    /// others can resolve it.</summary>
    private static IServiceCollection AddHosted<TOptions, THost>(IServiceCollection services, IConfiguration? funcExec, string role, Action<TOptions>? configure)
        where TOptions : class
        where THost : class, IHostedService
    {
        AddRole(services, funcExec, role, configure);
        services.AddSingleton<THost>();
        services.AddHostedService(sp => sp.GetRequiredService<THost>());
        return services;
    }

    /// <summary>Binds a role's options from its section (of <paramref name="funcExec"/>, else of the host's configuration),
    /// applies <paramref name="configure"/>, and validates them when the host starts, naming settings by their path.</summary>
    private static void AddRole<TOptions>(IServiceCollection services, IConfiguration? funcExec, string role, Action<TOptions>? configure)
        where TOptions : class
    {
        var builder = services.AddOptions<TOptions>();
        string path;
        if (funcExec is not null)
        {
            var section = funcExec.GetSection(role);
            path = section.Path;
            builder.Bind(section);
        }
        else
        {
            path = $"{DefaultSection}:{role}";
            builder.BindConfiguration(path);
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new OptionsChecks(path) as IValidateOptions<TOptions>
            ?? throw new ArgumentException($"no checks for {typeof(TOptions).Name}", nameof(role)));
    }
}
