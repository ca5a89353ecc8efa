using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;

namespace AiPlatform.Core.Assistants.Tools;

public static class AssistantToolsExtensions
{
    /// <summary>
    /// Registers <see cref="ToolRegistry"/> and the built-in tools (<c>current_time</c>, <c>http_get</c>), with
    /// <see cref="HttpGetToolOptions"/> bound from "Tools:HttpGet". Tenant settings are read through
    /// <see cref="Data.AppDbContext"/>, so the app needs AddAppDatabase. A new tool registers itself the same way:
    /// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IAssistantTool, MyTool&gt;())</c>.
    /// </summary>
    public static IServiceCollection AddAssistantTools(this IServiceCollection services)
    {
        services.AddOptions<HttpGetToolOptions>()
            .BindConfiguration(HttpGetToolOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITenantSettingsSource, DbTenantSettingsSource>();

        services.AddHttpClient(HttpGetTool.HttpClientName, client =>
            {
                client.DefaultRequestHeaders.UserAgent.ParseAdd("AiPlatform-http_get/1.0");
                client.DefaultRequestHeaders.Accept.ParseAdd("text/*, application/json, application/xml;q=0.9, */*;q=0.1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = VettedConnector.ConnectAsync,
                // HttpGetTool follows redirects itself, vetting every hop like the first URL.
                AllowAutoRedirect = false,
                // Through a proxy the vetted connection would be the one to the proxy, not to the destination.
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.All,
            })
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => RemoveResilienceHandlers(handlers));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAssistantTool, CurrentTimeTool>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAssistantTool, HttpGetTool>());
        services.TryAddSingleton<ToolRegistry>();
        return services;
    }

    // ServiceDefaults gives every client the standard resilience handler through ConfigureHttpClientDefaults, whose
    // builder has no client name: the handler's options are then the single named set "-standard" shared by every
    // client, not "tools-http-get-standard", so they cannot be tuned for this client alone. It doesn't suit a model-driven fetch: retrying a refused connection
    // or a 5xx only burns the 5 s the tool has, the model can retry itself, and one circuit breaker shared by every
    // tenant's hosts would let one broken site shut http_get for all. HttpGetTool enforces its own timeout.
    private static void RemoveResilienceHandlers(IList<DelegatingHandler> handlers)
    {
        for (var i = handlers.Count - 1; i >= 0; i--)
        {
            if (handlers[i] is ResilienceHandler)
            {
                handlers.RemoveAt(i);
            }
        }
    }
}
