using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace AiPlatform.Api.Identity;

/// <summary>Bound from <c>Jwt</c>. The signing key comes from a secret (Aspire parameter, or the local AppHost's per-machine file).</summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    public string Issuer { get; set; } = "aiplatform";
    public string Audience { get; set; } = "aiplatform-api";
    public string? SigningKey { get; set; }
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    public SymmetricSecurityKey GetSigningKey()
    {
        if (string.IsNullOrWhiteSpace(SigningKey) || Encoding.UTF8.GetByteCount(SigningKey) < 32)
        {
            throw new InvalidOperationException(
                "Jwt:SigningKey is missing or shorter than 32 bytes. The local AppHost generates one in ~/.aiplatform/jwt-signing-key; " +
                "in Aspire mode it is the secret parameter 'jwtkey'.");
        }

        return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey));
    }
}
