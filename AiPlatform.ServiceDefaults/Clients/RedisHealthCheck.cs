using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace AiPlatform.ServiceDefaults.Clients;

// Our own PING check rather than AspNetCore.HealthChecks.Redis (what Aspire uses): the mirror's 9.0.0 is compiled
// against StackExchange.Redis 2.7, and binding it to the 3.x major we use is a breaking-change risk for a few lines of code.
internal sealed class RedisHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Resolved here, not at registration: creating the multiplexer connects, and a failure must read as unhealthy.
            var multiplexer = services.GetRequiredService<IConnectionMultiplexer>();
            await multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
        }
    }
}
