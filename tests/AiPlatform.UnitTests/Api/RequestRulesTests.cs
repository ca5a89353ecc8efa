using AiPlatform.Api.Apis;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Common;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Tenancy;

namespace AiPlatform.UnitTests.Api;

public sealed class RequestRulesTests
{
    [Theory]
    [InlineData("short", 3)] // length, uppercase, digit
    [InlineData("alllowercase", 2)] // uppercase, digit
    [InlineData("ALLUPPER1", 1)] // lowercase
    [InlineData("Good-Passw0rd", 0)]
    public void Password_policy_reports_every_failing_rule(string password, int failures)
    {
        var result = new RegisterRequestValidator().Validate(
            new RegisterRequest("a@b.co", password, "A", "B", "T"));
        Assert.Equal(failures, result.Errors.Count(e => e.PropertyName == nameof(RegisterRequest.Password)));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(1, 100, true)]
    [InlineData(0, 20, false)]
    [InlineData(1, 0, false)]
    [InlineData(1, 101, false)]
    public void Paging_bounds(int? page, int? pageSize, bool valid) =>
        Assert.Equal(valid, new PageQueryValidator().Validate(new PageQuery(page, pageSize)).IsValid);

    [Fact]
    public void Page_request_defaults_and_offsets()
    {
        var request = new PageQuery(null, null).ToPageRequest();
        Assert.Equal((1, 20, 0), (request.Page, request.PageSize, request.Skip));
        Assert.Equal(40, new PageQuery(3, 20).ToPageRequest().Skip);
    }

    [Fact]
    public void Api_enum_uses_the_json_spelling_case_insensitively()
    {
        Assert.Equal("TENANT_ADMIN", ApiEnum.Name(UserRole.TenantAdmin));
        Assert.Equal(UserRole.TenantUser, ApiEnum.Parse<UserRole>("tenant_user"));
        Assert.Equal(TenantStatus.Suspended, ApiEnum.Parse<TenantStatus>("SUSPENDED"));
        Assert.Null(ApiEnum.Parse<UserRole>("TenantUser"));
        Assert.Null(ApiEnum.Parse<UserRole>(null));
    }

    [Theory]
    [InlineData(400, ErrorCodes.ValidationError)]
    [InlineData(401, ErrorCodes.AuthenticationFailed)]
    [InlineData(403, ErrorCodes.InsufficientPermissions)]
    [InlineData(404, ErrorCodes.ResourceNotFound)]
    [InlineData(413, ErrorCodes.PayloadTooLarge)]
    [InlineData(415, ErrorCodes.UnsupportedMediaType)]
    [InlineData(429, ErrorCodes.RateLimitExceeded)]
    [InlineData(500, ErrorCodes.InternalError)]
    public void Bare_statuses_map_to_envelope_codes(int status, string code) => Assert.Equal(code, ErrorCodes.ForStatus(status));

    [Theory]
    [InlineData("en", true)]
    [InlineData("pt-BR", true)]
    [InlineData("xx-nope", false)]
    [InlineData("e", false)]
    public void Language_tags(string tag, bool valid) => Assert.Equal(valid, LocaleRules.IsLanguage(tag));

    [Fact]
    public void Tenant_branding_colors_must_be_hex() =>
        Assert.Equal([true, true, false], new[] { "#A1b2C3", null, "blue" }.Select(TenantsApi.IsHexColor));
}
