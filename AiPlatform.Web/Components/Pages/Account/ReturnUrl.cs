using Microsoft.AspNetCore.Components;

namespace AiPlatform.Web.Components.Pages.Account;

/// <summary>Where to go after signing in or up: the page that sent the user here, if it is one of this app's.</summary>
public static class ReturnUrl
{
    public const string Default = "assistants";

    /// <summary>
    /// A base-relative path to navigate to. Anything that resolves outside the app ("//evil.example",
    /// "javascript:…", an absolute address) falls back to <see cref="Default"/>, so the sign-in page is no open redirect.
    /// </summary>
    public static string Resolve(NavigationManager navigation, string? returnUrl)
    {
        if (string.IsNullOrWhiteSpace(returnUrl)
            || !Uri.TryCreate(new Uri(navigation.BaseUri), returnUrl, out var target)
            || !target.AbsoluteUri.StartsWith(navigation.BaseUri, StringComparison.Ordinal))
        {
            return Default;
        }

        // "/\evil.example" resolves to "//evil.example" on this host: no page of ours, and a browser reads it as another host.
        var path = navigation.ToBaseRelativePath(target.AbsoluteUri);
        return path.StartsWith('/') ? Default : path;
    }

    /// <summary>A link to another account page that keeps the return address.</summary>
    public static string Carry(string page, string? returnUrl) =>
        string.IsNullOrEmpty(returnUrl) ? page : $"{page}?returnUrl={Uri.EscapeDataString(returnUrl)}";
}
