using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiPlatform.Core.Credits;

/// <summary>The <c>Credits</c> configuration section.</summary>
public sealed class CreditOptions
{
    public const string SectionName = "Credits";

    /// <summary>Credits a new tenant starts with (a platform <see cref="CreditTransactionType.Gift"/>); 0 turns the grant off.</summary>
    public decimal SignupCredits { get; set; } = 100m;
}

public static class CreditsServiceCollectionExtensions
{
    /// <summary>Registers <see cref="CreditLedger"/> (scoped, on the unit of work's AppDbContext) and <see cref="CreditOptions"/>.</summary>
    public static IServiceCollection AddCredits(this IServiceCollection services)
    {
        services.AddOptions<CreditOptions>().BindConfiguration(CreditOptions.SectionName)
            .Validate(o => o.SignupCredits >= 0 && o.SignupCredits <= CreditAmounts.MaxAmount && CreditAmounts.HasValidScale(o.SignupCredits),
                $"{CreditOptions.SectionName}:SignupCredits must be between 0 and {CreditAmounts.MaxAmount} with at most {CreditAmounts.Scale} decimals.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<CreditLedger>();
        return services;
    }
}
