using System.Text.Json;
using FluentValidation;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// Enum values as the API spells them (UPPER_SNAKE, as in JSON) for query parameters, which minimal
/// APIs would otherwise parse by their C# names.
/// </summary>
public static class ApiEnum
{
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    public static TEnum? Parse<TEnum>(string? text) where TEnum : struct, Enum =>
        text is null ? null : Enum.GetValues<TEnum>().Cast<TEnum?>().FirstOrDefault(v => string.Equals(Name(v!.Value), text, StringComparison.OrdinalIgnoreCase));

    public static IRuleBuilderOptions<T, string?> IsApiEnum<T, TEnum>(this IRuleBuilder<T, string?> rule, string field) where TEnum : struct, Enum => rule
        .Must(text => text is null || Parse<TEnum>(text) is not null)
        .WithMessage($"{field} must be one of: {string.Join(", ", Enum.GetValues<TEnum>().Select(Name))}.");
}
