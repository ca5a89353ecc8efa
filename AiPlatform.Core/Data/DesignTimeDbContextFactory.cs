using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AiPlatform.Core.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting a host.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>()
            .UseNpgsql("Host=localhost;Database=aiplatformdb")
            .UseSnakeCaseNamingConvention()
            .Options;
        return new AppDbContext(options, new TenantContext());
    }
}
