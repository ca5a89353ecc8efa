using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace AiPlatform.ServiceDefaults.Clients;

// Aspire uses AspNetCore.HealthChecks.Rabbitmq, which the package mirror doesn't have; this does what its 9.x check
// does for RabbitMQ.Client 7: the connection must be open and able to open a channel.
internal sealed class RabbitMQHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Resolved here so a broker that can't be reached reports unhealthy instead of breaking the health endpoint.
            var connection = services.GetRequiredService<IConnection>();
            if (!connection.IsOpen)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "The RabbitMQ connection is closed.");
            }

            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
        }
    }
}
