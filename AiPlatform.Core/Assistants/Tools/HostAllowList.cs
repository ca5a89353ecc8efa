using System.Globalization;
using System.Text;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>
/// Matches a host against a tenant's allow-list: exact names, or <c>*.example.com</c> for any subdomain of
/// example.com (not example.com itself). Comparison is case-insensitive, ignores a trailing dot and compares
/// international names in their ASCII (punycode) form, as <see cref="Uri.IdnHost"/> gives them.
/// </summary>
public static class HostAllowList
{
    private const string WildcardPrefix = "*.";

    public static bool IsAllowed(string host, IEnumerable<string> patterns)
    {
        var name = Normalize(host);
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var entry in patterns)
        {
            var pattern = entry.Trim();
            if (pattern.StartsWith(WildcardPrefix, StringComparison.Ordinal))
            {
                // Matching on ".example.com", dot included, is what keeps "evil-example.com" out.
                var suffix = Normalize(pattern[WildcardPrefix.Length..]);
                if (!string.IsNullOrEmpty(suffix) && name.EndsWith("." + suffix, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (Normalize(pattern) == name)
            {
                return true;
            }
        }

        return false;
    }

    private static string? Normalize(string host)
    {
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (Ascii.IsValid(name))
        {
            return name;
        }

        try
        {
            return new IdnMapping().GetAscii(name);
        }
        catch (ArgumentException)
        {
            return null; // not a valid host name, so it matches nothing
        }
    }
}
