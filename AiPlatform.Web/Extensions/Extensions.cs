using AiPlatform.Web.Services;
using Microsoft.Extensions.Options;

namespace AiPlatform.Web.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiClients();
    }

    private static void AddApiClients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiHealthOptions>()
            .BindConfiguration(ApiHealthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // "https+http://api": service discovery prefers the API's https endpoint and falls back to http.
        // A health probe must report what it sees, promptly: the standard resilience handler that ServiceDefaults
        // puts on every client would retry a 503 and a refused connection for ~15 s before the page could say so.
        // RemoveAllResilienceHandlers is still marked experimental (EXTEXP0001); it is the documented way to opt out.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<ApiHealthClient>(c => c.BaseAddress = new("https+http://api"))
            .ConfigureHttpClient((services, c) =>
                c.Timeout = services.GetRequiredService<IOptions<ApiHealthOptions>>().Value.Timeout)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
