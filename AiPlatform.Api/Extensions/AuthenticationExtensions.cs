using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Common;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace AiPlatform.Api.Extensions;

public static class AuthenticationExtensions
{
    public static void AddPlatformAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName)
            .Validate(o => o.AccessTokenLifetime > TimeSpan.Zero && o.RefreshTokenLifetime > o.AccessTokenLifetime,
                "Jwt lifetimes must be positive, the refresh token's longer than the access token's.")
            .ValidateOnStart();

        builder.Services.AddSingleton<RevokedAccessTokens>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RevokedAccessTokens>());
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwtOptions) =>
            {
                var jwt = jwtOptions.Value;
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    IssuerSigningKey = jwt.GetSigningKey(),
                    NameClaimType = PlatformClaims.Subject,
                    RoleClaimType = PlatformClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                bearer.Events = new JwtBearerEvents
                {
                    OnTokenValidated = RejectRevokedTokens,
                    OnChallenge = context =>
                    {
                        if (context.AuthenticateFailure is SecurityTokenExpiredException)
                        {
                            context.HttpContext.Items[ApiError.CodeItemKey] = ErrorCodes.TokenExpired;
                        }

                        return Task.CompletedTask;
                    },
                };
            });

        builder.Services.AddAuthorizationBuilder().AddPlatformPolicies();
    }

    private static async Task RejectRevokedTokens(TokenValidatedContext context)
    {
        var tokenId = context.Principal?.FindFirst(PlatformClaims.TokenId)?.Value;
        var revokedTokens = context.HttpContext.RequestServices.GetRequiredService<RevokedAccessTokens>();
        if (tokenId is null || await revokedTokens.IsRevokedAsync(tokenId))
        {
            context.Fail("The access token has been revoked.");
        }
    }
}
