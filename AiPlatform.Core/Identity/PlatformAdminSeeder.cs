using AiPlatform.Core.Data;
using AiPlatform.Core.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiPlatform.Core.Identity;

/// <summary>
/// In Development, makes sure the platform admin named by <c>Seed:AdminEmail</c> / <c>Seed:AdminPassword</c>
/// exists, in a tenant of its own. Elsewhere it does nothing: production admins are created deliberately.
/// </summary>
public sealed class PlatformAdminSeeder(
    IOptions<SeedOptions> options,
    IHostEnvironment environment,
    IPasswordHasher<User> passwordHasher,
    TimeProvider clock,
    ILogger<PlatformAdminSeeder> logger) : IDatabaseSeeder
{
    public async Task SeedAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var seed = options.Value;
        if (!environment.IsDevelopment())
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(seed.AdminEmail) || string.IsNullOrWhiteSpace(seed.AdminPassword))
        {
            logger.LogWarning(
                "No platform admin seeded: set Seed:AdminEmail and Seed:AdminPassword (the local AppHost generates them).");
            return;
        }

        var normalizedEmail = User.Normalize(seed.AdminEmail);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalizedEmail, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var tenant = new Tenant { Name = seed.PlatformTenantName, CreatedAt = now, UpdatedAt = now };
        var admin = new User
        {
            TenantId = tenant.Id,
            Email = seed.AdminEmail.Trim(),
            NormalizedEmail = normalizedEmail,
            FirstName = "Platform",
            LastName = "Admin",
            Role = UserRole.PlatformAdmin,
            Status = UserStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
        admin.PasswordHash = passwordHasher.HashPassword(admin, seed.AdminPassword);
        db.Tenants.Add(tenant);
        db.Users.Add(admin);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation(
            "Seeded platform admin {Email} from configuration keys Seed:AdminEmail and Seed:AdminPassword", admin.Email);
    }
}
