using System.Security.Claims;
using System.Security.Cryptography;
using AiPlatform.Core.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AiPlatform.Api.Identity;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>Issues signed access tokens and opaque refresh tokens (stored only as SHA-256).</summary>
public sealed class TokenService(IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public string CreateAccessToken(User user)
    {
        var jwt = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + jwt.AccessTokenLifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim(PlatformClaims.Subject, user.Id.ToString()),
                new Claim(PlatformClaims.TenantId, user.TenantId.ToString()),
                new Claim(PlatformClaims.Role, RoleNames.Of(user.Role)),
                new Claim(PlatformClaims.Email, user.Email),
                new Claim(PlatformClaims.TokenId, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(jwt.GetSigningKey(), SecurityAlgorithms.HmacSha256),
        });
    }

    public static string CreateOpaqueToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
