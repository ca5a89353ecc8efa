using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Browser;

/// <summary>The real Web app, in-process on a Kestrel loopback port a browser can reach.</summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    private readonly string _apiUrl;

    public WebAppFactory(string apiUrl)
    {
        _apiUrl = apiUrl;
        UseKestrel(0);
    }

    public string Url =>
        Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // What the AppHost injects for service discovery to find "api".
        builder.UseSetting("services:api:http:0", _apiUrl);
    }
}
