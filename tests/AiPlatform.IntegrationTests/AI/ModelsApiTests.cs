using System.Net;
using AiPlatform.Core.AI;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiPlatform.IntegrationTests.AI;

/// <summary>The API with one configured provider besides the built-in model, its key recognisable if it ever leaks.</summary>
public sealed class ModelsApiFactory : ApiFactory
{
    public const string ApiKey = "sk-models-LEAKCHECK-91b7e2";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("AI:Providers:0:Name", "acme");
        builder.UseSetting("AI:Providers:0:Kind", "openai");
        builder.UseSetting("AI:Providers:0:Endpoint", "http://127.0.0.1:9/v1");
        builder.UseSetting("AI:Providers:0:ApiKey", ApiKey);
        builder.UseSetting("AI:Providers:0:Models:0:Id", "acme-large");
        builder.UseSetting("AI:Providers:0:Models:0:Name", "Acme Large");
        builder.UseSetting("AI:Providers:0:Models:0:ContextWindow", "128000");
        builder.UseSetting("AI:Providers:0:Models:0:MaxOutputTokens", "4096");
        builder.UseSetting("AI:Providers:0:Models:0:InputCostPer1kTokens", "0.5");
        builder.UseSetting("AI:Providers:0:Models:0:OutputCostPer1kTokens", "1.5");
        builder.UseSetting("AI:Providers:0:Models:0:Capabilities:0", "chat");
        builder.UseSetting("AI:Providers:0:Models:0:Capabilities:1", "streaming");
        builder.UseSetting("AI:Providers:0:Models:0:Capabilities:2", "tools");
        builder.UseSetting("AI:Providers:0:Models:1:Id", "acme-small");
    }
}

public sealed class ModelsApiTests(ModelsApiFactory factory) : IClassFixture<ModelsApiFactory>
{
    [Fact]
    public async Task Lists_the_built_in_model_and_the_configured_ones()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await tenant.Client.GetAsync("/api/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal((1, 20, 3, 1), (body.GetProperty("page").GetInt32(), body.GetProperty("pageSize").GetInt32(),
            body.GetProperty("total").GetInt32(), body.GetProperty("totalPages").GetInt32()));
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["local", "acme-large", "acme-small"], items.Select(i => i.GetProperty("id").GetString()));

        var local = items[0];
        Assert.Equal("Offline model (built-in)", local.GetProperty("name").GetString());
        Assert.Equal("local", local.GetProperty("provider").GetString());
        Assert.Equal(0m, local.GetProperty("costPer1kTokens").GetProperty("input").GetDecimal());
        Assert.Equal(0m, local.GetProperty("costPer1kTokens").GetProperty("output").GetDecimal());
        Assert.Equal(["chat", "streaming"], local.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));

        var large = items[1];
        Assert.Equal("Acme Large", large.GetProperty("name").GetString());
        Assert.Equal("acme", large.GetProperty("provider").GetString());
        Assert.Equal(4096, large.GetProperty("maxTokens").GetInt32());
        Assert.Equal(128000, large.GetProperty("contextWindow").GetInt32());
        Assert.Equal(0.5m, large.GetProperty("costPer1kTokens").GetProperty("input").GetDecimal());
        Assert.Equal(1.5m, large.GetProperty("costPer1kTokens").GetProperty("output").GetDecimal());
        Assert.Equal(["chat", "streaming", "tools"], large.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["id", "name", "provider", "maxTokens", "contextWindow", "costPer1kTokens", "capabilities"],
            large.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Pages_like_every_list()
    {
        var tenant = await factory.CreateTenantAsync();

        var body = await (await tenant.Client.GetAsync("/api/v1/models?page=2&pageSize=2")).ReadJsonAsync();

        Assert.Equal("acme-small", Assert.Single(body.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal((2, 2, 3, 2), (body.GetProperty("page").GetInt32(), body.GetProperty("pageSize").GetInt32(),
            body.GetProperty("total").GetInt32(), body.GetProperty("totalPages").GetInt32()));
    }

    [Fact]
    public async Task The_api_key_is_in_no_response()
    {
        var tenant = await factory.CreateTenantAsync();

        foreach (var path in new[] { "/api/v1/models", "/api/v1/models?pageSize=0", "/openapi/v1.json", "/api/v1/health" })
        {
            var body = await (await tenant.Client.GetAsync(path)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(ModelsApiFactory.ApiKey, body);
            Assert.DoesNotContain("LEAKCHECK", body);
        }

        var models = await (await tenant.Client.GetAsync("/api/v1/models")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("apiKey", models, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("127.0.0.1", models);
    }

    [Fact]
    public void The_api_resolves_a_configured_model_through_its_providers_own_resilient_client()
    {
        Assert.Single(AiTestHost.HandlerChain(factory.Services, "ai-acme").OfType<ResilienceHandler>());
        Assert.Equal(100, factory.Services.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>()
            .Get("ai-acme-standard").AttemptTimeout.Timeout.TotalSeconds);
        var service = factory.Services.GetRequiredService<IChatModelResolver>().Resolve("acme-small");
        Assert.Equal("acme-small", service.Attributes["ModelId"]);
        Assert.IsNotType<OpenAIChatCompletionService>(service); // wrapped, so its failures come out as DomainExceptions
    }

    [Fact]
    public async Task Requires_authentication()
    {
        var response = await factory.CreateClient().GetAsync("/api/v1/models");

        await response.AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task Bad_paging_is_422(string query, string field)
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await tenant.Client.GetAsync($"/api/v1/models?{query}");

        var error = await response.AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.True(error.GetProperty("details").TryGetProperty(field, out _));
    }
}
