using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Data;
using AiPlatform.Core.Tenancy;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;

namespace AiPlatform.IntegrationTests.Tools;

/// <summary>
/// The tools as the app composes them (ServiceDefaults, the real database, AddAssistantTools), over a migrated
/// database of their own; tenants' settings are real rows, read the way a chat turn reads them.
/// </summary>
public sealed class ToolsHost : IAsyncLifetime
{
    private TestDatabase? _database;
    private IHost? _host;

    public IServiceProvider Services => (_host ?? throw new InvalidOperationException("The fixture is not initialized.")).Services;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("tools");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Production,
            ApplicationName = "AiPlatform.IntegrationTests",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:aiplatformdb"] = _database.ConnectionString,
        });
        builder.AddServiceDefaults();
        builder.AddAppDatabase();
        builder.Services.AddAssistantTools();
        _host = builder.Build();
        await _host.StartAsync(); // runs the migrator
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    public async Task<Guid> CreateTenantAsync(TenantSettings settings)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        using var system = db.Tenant.BeginSystemScope();
        var tenant = new Tenant
        {
            Name = $"Tools {Guid.NewGuid():N}",
            Settings = settings,
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        };
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync();
        return tenant.Id;
    }

    /// <summary>Runs <paramref name="sql"/> (interpolations become parameters) outside tenant isolation.</summary>
    public async Task ExecuteSqlAsync(FormattableString sql)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        using var system = db.Tenant.BeginSystemScope();
        await db.Database.ExecuteSqlAsync(sql);
    }

    public async Task<FunctionResult> InvokeAsync(Guid tenantId, string toolName, string functionName, KernelArguments? arguments = null)
    {
        var registry = Services.GetRequiredService<ToolRegistry>();
        var plugin = Assert.Single(registry.CreatePlugins([toolName], new ToolContext(tenantId, UserId: null, AssistantId: null)));
        return await plugin[functionName].InvokeAsync(new Kernel(), arguments ?? []);
    }
}
