using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;

namespace AiPlatform.AppHost.Local;

/// <summary>
/// Local mode: the resources of AspireHost.cs without containers. (a) checks that the stores installed on this
/// machine accept connections, (b) starts api, worker and web as child processes with the environment Aspire would
/// inject, (c) prefixes their output, (d) waits for each /health, (e) prints the resource table, (f) reports any
/// exit loudly and never restarts, (g) stops every child on Ctrl+C or SIGTERM.
/// </summary>
internal static class LocalHost
{
    private static readonly ServiceDefinition[] Services =
    [
        new("api", "AiPlatform.Api", Stores: ["aiplatformdb", "cache", "messaging"], Services: [], GetsSecrets: true),
        new("worker", "AiPlatform.Worker", Stores: ["aiplatformdb", "cache", "messaging"], Services: ["api"]),
        new("web", "AiPlatform.Web", Stores: [], Services: ["api"]),
    ];

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var output = new Output(Services.Select(s => s.Name));
        var options = LoadOptions(args);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            problems.ForEach(output.Fail);
            return 2;
        }

        // First Ctrl+C/SIGTERM: graceful stop. Second: kill at once.
        using var stopping = new CancellationTokenSource();
        using var killNow = new CancellationTokenSource();
        using var signals = OnStopSignals(() => (stopping.IsCancellationRequested ? killNow : stopping).Cancel());

        output.Info("local mode: stores on this machine, services as child processes (no container runtime)");
        problems = [.. await DependencyCheck.FindProblemsAsync(options.ConnectionStrings, stopping.Token)];
        problems.AddRange(await FindBusyPortsAsync(options));
        problems.AddRange(Services.Select(s => ServiceLocation.Problem(s.ProjectName)).OfType<string>());
        if (problems.Count > 0)
        {
            problems.ForEach(output.Fail);
            return 1;
        }

        var secrets = MachineSecrets.For(options);
        var services = new List<RunningService>();
        try
        {
            foreach (var definition in Services)
            {
                services.Add(Start(definition, options, secrets, output));
            }

            var started = await HealthWait.UntilHealthyAsync(services, TimeSpan.FromSeconds(options.HealthTimeoutSeconds), output, stopping.Token);
            PrintTable(output, options, secrets, services, running: started);
            if (!started)
            {
                output.Fail("a service exited during start-up: stopping the others");
                return 1;
            }
            return await SuperviseAsync(services, output, options, secrets, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            await StopAllAsync(services, output, killNow.Token);
        }
    }

    private static LocalOptions LoadOptions(string[] args) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build()
            .GetSection(LocalOptions.SectionName)
            .Get<LocalOptions>() ?? new LocalOptions();

    private static RunningService Start(ServiceDefinition definition, LocalOptions options, MachineSecrets secrets, Output output)
    {
        var (assembly, projectDirectory) = ServiceLocation.Of(definition.ProjectName);
        // `dotnet <service>.dll` from the project directory: the working directory and environment of
        // Aspire's `dotnet run --no-build --no-launch-profile`, in one process.
        var process = ChildProcess.Start(
            definition.Name, DotnetHost(), [assembly], projectDirectory,
            AspireEnvironment.For(definition, options, secrets), AspireEnvironment.Removed, output);
        var url = options.Urls.Get(definition.Name);
        output.Info($"started {definition.Name} (pid {process.Id}) on {url.GetLeftPart(UriPartial.Authority)}");
        return new RunningService(definition.Name, url, process);
    }

    /// <summary>After start-up: any exit is reported loudly; the others keep running, as under Aspire.</summary>
    private static async Task<int> SuperviseAsync(
        List<RunningService> services, Output output, LocalOptions options, MachineSecrets secrets, CancellationToken stopping)
    {
        var stopped = Task.Delay(Timeout.Infinite, stopping);
        var alive = services.Where(s => !s.Process.Exited.IsCompleted).ToList();
        while (alive.Count > 0)
        {
            var finished = await Task.WhenAny(alive.Select(s => (Task)s.Process.Exited).Append(stopped));
            if (finished == stopped || stopping.IsCancellationRequested)
            {
                return 0;
            }
            var service = alive.Single(s => s.Process.Exited == finished);
            alive.Remove(service);
            service.State = $"Exited({service.Process.Exited.Result})";
            output.Fail($"{service.Name} exited with code {service.Process.Exited.Result}");
            PrintTable(output, options, secrets, services, running: true);
        }
        output.Fail("every service has exited");
        return 1;
    }

    private static async Task StopAllAsync(List<RunningService> services, Output output, CancellationToken killNow)
    {
        var running = services.Where(s => !s.Process.Exited.IsCompleted).ToList();
        if (running.Count > 0)
        {
            output.Info($"stopping {string.Join(", ", running.Select(s => s.Name))}");
            await Task.WhenAll(running.Select(s => s.Process.StopAsync(StopGrace, killNow)));
            output.Info("stopped");
        }
        services.ForEach(s => s.Process.Dispose());
    }

    private static void PrintTable(Output output, LocalOptions options, MachineSecrets secrets, List<RunningService> services, bool running)
    {
        var db = StoreConnection.ParsePostgres(options.ConnectionStrings.AiPlatformDb);
        var cache = StoreConnection.ParseRedis(options.ConnectionStrings.Cache);
        var messaging = StoreConnection.ParseRabbitMq(options.ConnectionStrings.Messaging);
        List<ResourceRow> rows =
        [
            new("postgres", "postgres", "Running", $"{db.Host}:{db.Port}"),
            new("aiplatformdb", "database", "Running", $"{db.Host}:{db.Port}/{db.Database} (role {db.UserName})"),
            new("cache", "redis", "Running", $"{cache.Host}:{cache.Port}"),
            new("messaging", "rabbitmq", "Running", $"amqp://{messaging.Host}:{messaging.Port}"),
            .. services.Select(s => new ResourceRow(s.Name, "project", s.State, s.Url.GetLeftPart(UriPartial.Authority))),
        ];
        output.Block(ResourceTable.Render(rows,
        [
            $"Admin login: {options.AdminEmail}, password in {secrets.AdminPasswordPath}",
            .. running ? [$"Web: {options.Urls.Web}    API: {options.Urls.Api}    Ctrl+C stops everything."] : Array.Empty<string>(),
        ]));
    }

    private static async Task<IEnumerable<string>> FindBusyPortsAsync(LocalOptions options)
    {
        var busy = new List<string>();
        foreach (var (name, value) in options.Urls.All())
        {
            var url = new Uri(value);
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await client.ConnectAsync(url.Host, url.Port, timeout.Token);
                busy.Add($"port {url.Port} for {name} is already in use (another AppHost still running?) — stop it, or choose another with --Local:Urls:{name}=http://localhost:<port>");
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // Free.
            }
        }
        return busy;
    }

    private static IDisposable OnStopSignals(Action stop)
    {
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            stop();
        }
        PosixSignalRegistration[] registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handle),
        ];
        return new Registrations(registrations);
    }

    private sealed class Registrations(PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose() => Array.ForEach(registrations, r => r.Dispose());
    }

    /// <summary>The dotnet host that runs this AppHost (or the one on PATH).</summary>
    private static string DotnetHost() =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Path.GetFileNameWithoutExtension(System.Environment.ProcessPath) == "dotnet" ? System.Environment.ProcessPath!
        : "dotnet";
}

/// <summary>A started service and its state as shown in the table: Starting, Healthy, Unhealthy or Exited(code).</summary>
internal sealed class RunningService(string name, Uri url, ChildProcess process)
{
    public string Name => name;
    public Uri Url => url;
    public ChildProcess Process => process;
    public string State { get; set; } = "Starting";

    /// <summary>What the last health probe saw, for the "did not become healthy" message.</summary>
    public string? LastHealth { get; set; }
}

/// <summary>
/// Where each service was built, recorded by the csproj as AssemblyMetadata at build time
/// (<c>ServiceAssembly:AiPlatform.Api</c>, <c>ServiceProject:AiPlatform.Api</c>).
/// </summary>
internal static class ServiceLocation
{
    private static readonly Dictionary<string, string?> Metadata = typeof(ServiceLocation).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .ToDictionary(a => a.Key, a => a.Value);

    public static (string Assembly, string ProjectDirectory) Of(string projectName) =>
        (Metadata[$"ServiceAssembly:{projectName}"]!, Path.GetDirectoryName(Metadata[$"ServiceProject:{projectName}"])!);

    public static string? Problem(string projectName) =>
        !Metadata.TryGetValue($"ServiceAssembly:{projectName}", out var assembly) || assembly is null
            ? $"{projectName} is not a ProjectReference of the AppHost — rebuild it: dotnet build AiPlatform.AppHost"
            : !File.Exists(assembly)
                ? $"{projectName} is not built ({assembly} is missing) — dotnet build AiPlatform.AppHost"
                : null;
}
