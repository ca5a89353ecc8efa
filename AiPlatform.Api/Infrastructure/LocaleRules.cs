using System.Globalization;

namespace AiPlatform.Api.Infrastructure;

/// <summary>What counts as a language tag and a time zone wherever users or tenants set them.</summary>
public static class LocaleRules
{
    public const string LanguageMessage = "Language must be a language tag such as 'en' or 'pt-BR'.";
    public const string TimezoneMessage = "Timezone must be an IANA time zone such as 'UTC' or 'Europe/Paris'.";

    public static bool IsLanguage(string tag)
    {
        if (tag.Length is < 2 or > 35)
        {
            return false;
        }

        try
        {
            return !CultureInfo.GetCultureInfo(tag, predefinedOnly: true).Equals(CultureInfo.InvariantCulture);
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    public static bool IsTimezone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}
