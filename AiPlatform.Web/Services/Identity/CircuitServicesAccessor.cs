using Microsoft.AspNetCore.Components.Server.Circuits;

namespace AiPlatform.Web.Services.Identity;

/// <summary>
/// The services of the circuit whose work is running, for code that DI cannot give them to: IHttpClientFactory builds
/// message handlers in a scope of its own, so <see cref="BearerTokenHandler"/> cannot inject the circuit's
/// <see cref="UserSession"/>. Microsoft's documented pattern ("access server-side Blazor services from a different
/// DI scope"): an AsyncLocal set around every inbound circuit activity, which flows into the HTTP calls it makes.
/// </summary>
public sealed class CircuitServicesAccessor
{
    private static readonly AsyncLocal<IServiceProvider?> Current = new();

    public IServiceProvider? Services
    {
        get => Current.Value;
        set => Current.Value = value;
    }
}

internal sealed class CircuitServicesAccessorHandler(IServiceProvider services, CircuitServicesAccessor accessor) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(
        Func<CircuitInboundActivityContext, Task> next) => async context =>
        {
            accessor.Services = services;
            await next(context);
            accessor.Services = null;
        };
}
