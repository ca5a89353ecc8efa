using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Data;
using AiPlatform.Core.Identity;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Api.Apis;

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/users").WithTags("Users");
        api.MapGet("/me", GetMe);
        api.MapPut("/me", UpdateMe);
        return api;
    }

    public static async Task<Ok<UserProfile>> GetMe(ClaimsPrincipal principal, AppDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        return TypedResults.Ok(UserProfile.From(user));
    }

    public static async Task<Ok<UserProfile>> UpdateMe(
        UpdateProfileRequest request, ClaimsPrincipal principal, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        var user = await db.Users.SingleAsync(u => u.Id == userId, cancellationToken);
        user.FirstName = request.FirstName?.Trim() ?? user.FirstName;
        user.LastName = request.LastName?.Trim() ?? user.LastName;
        if (request.Preferences is { } preferences)
        {
            user.Preferences = new UserPreferences
            {
                Theme = preferences.Theme ?? user.Preferences.Theme,
                Language = preferences.Language ?? user.Preferences.Language,
                Timezone = preferences.Timezone ?? user.Preferences.Timezone,
                Notifications = new NotificationPreferences
                {
                    Email = preferences.Notifications?.Email ?? user.Preferences.Notifications.Email,
                    InApp = preferences.Notifications?.InApp ?? user.Preferences.Notifications.InApp,
                },
            };
        }

        user.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(UserProfile.From(user));
    }
}

public sealed record UserProfile(
    Guid Id, string Email, string FirstName, string LastName, UserRole Role, UserStatus Status, Guid TenantId,
    UserPreferences Preferences, DateTime CreatedAt, DateTime? LastLoginAt)
{
    public static UserProfile From(User user) => new(
        user.Id, user.Email, user.FirstName, user.LastName, user.Role, user.Status, user.TenantId,
        user.Preferences, user.CreatedAt, user.LastLoginAt);
}

/// <summary>Fields left null keep their value.</summary>
public sealed record UpdateProfileRequest(string? FirstName, string? LastName, PreferencesUpdate? Preferences);

public sealed record PreferencesUpdate(string? Theme, string? Language, string? Timezone, NotificationsUpdate? Notifications);

public sealed record NotificationsUpdate(bool? Email, bool? InApp);

public sealed class UpdateProfileRequestValidator : AbstractValidator<UpdateProfileRequest>
{
    private static readonly string[] Themes = ["light", "dark", "system"];

    public UpdateProfileRequestValidator()
    {
        When(r => r.FirstName is not null, () => RuleFor(r => r.FirstName).PersonName("First name"));
        When(r => r.LastName is not null, () => RuleFor(r => r.LastName).PersonName("Last name"));
        When(r => r.Preferences is not null, () =>
        {
            RuleFor(r => r.Preferences!.Theme).Must(t => t is null || Themes.Contains(t))
                .WithMessage($"Theme must be one of: {string.Join(", ", Themes)}.").OverridePropertyName("preferences.theme");
            RuleFor(r => r.Preferences!.Language).Must(l => l is null || LocaleRules.IsLanguage(l))
                .WithMessage(LocaleRules.LanguageMessage).OverridePropertyName("preferences.language");
            RuleFor(r => r.Preferences!.Timezone).Must(t => t is null || LocaleRules.IsTimezone(t))
                .WithMessage(LocaleRules.TimezoneMessage).OverridePropertyName("preferences.timezone");
        });
    }
}
