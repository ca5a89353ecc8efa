using AiPlatform.Core.Identity;
using FluentValidation;

namespace AiPlatform.Api.Identity;

public sealed record RegisterRequest(string? Email, string? Password, string? FirstName, string? LastName, string? TenantName);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record LogoutRequest(string? RefreshToken);

public sealed record ForgotPasswordRequest(string? Email);

public sealed record ResetPasswordRequest(string? Token, string? NewPassword);

public sealed record AcceptInvitationRequest(string? Token, string? Password);

public sealed record UserSummary(Guid Id, string Email, string FirstName, string LastName, UserRole Role, Guid TenantId)
{
    public static UserSummary From(User user) =>
        new(user.Id, user.Email, user.FirstName, user.LastName, user.Role, user.TenantId);
}

public sealed record AuthResponse(UserSummary User, TokenPair Tokens);

public static class IdentityRules
{
    public const int NameMaxLength = 100;

    /// <summary>The password policy: every failing rule is reported, not just the first.</summary>
    public static IRuleBuilderOptions<T, string?> StrongPassword<T>(this IRuleBuilder<T, string?> rule) => rule
        .NotEmpty().WithMessage("Password is required.")
        .MinimumLength(8).WithMessage("Password must be at least 8 characters long.")
        .MaximumLength(128).WithMessage("Password must be at most 128 characters long.")
        .Matches("[A-Z]").WithMessage("Password must contain an uppercase letter.")
        .Matches("[a-z]").WithMessage("Password must contain a lowercase letter.")
        .Matches("[0-9]").WithMessage("Password must contain a digit.");

    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilder<T, string?> rule) => rule
        .NotEmpty().WithMessage("Email is required.")
        .MaximumLength(320).WithMessage("Email must be at most 320 characters long.")
        .EmailAddress().WithMessage("Email is not a valid email address.");

    public static IRuleBuilderOptions<T, string?> PersonName<T>(this IRuleBuilder<T, string?> rule, string field) => rule
        .NotEmpty().WithMessage($"{field} is required.")
        .MaximumLength(NameMaxLength).WithMessage($"{field} must be at most {NameMaxLength} characters long.");
}

public sealed class RegisterRequestValidator : AbstractValidator<RegisterRequest>
{
    public RegisterRequestValidator()
    {
        RuleFor(r => r.Email).ValidEmail();
        RuleFor(r => r.Password).StrongPassword();
        RuleFor(r => r.FirstName).PersonName("First name");
        RuleFor(r => r.LastName).PersonName("Last name");
        RuleFor(r => r.TenantName).NotEmpty().WithMessage("Tenant name is required.")
            .MaximumLength(200).WithMessage("Tenant name must be at most 200 characters long.");
    }
}

public sealed class LoginRequestValidator : AbstractValidator<LoginRequest>
{
    public LoginRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().WithMessage("Email is required.");
        RuleFor(r => r.Password).NotEmpty().WithMessage("Password is required.");
    }
}

public sealed class RefreshRequestValidator : AbstractValidator<RefreshRequest>
{
    public RefreshRequestValidator() =>
        RuleFor(r => r.RefreshToken).NotEmpty().WithMessage("Refresh token is required.");
}

public sealed class ForgotPasswordRequestValidator : AbstractValidator<ForgotPasswordRequest>
{
    public ForgotPasswordRequestValidator() => RuleFor(r => r.Email).ValidEmail();
}

public sealed class ResetPasswordRequestValidator : AbstractValidator<ResetPasswordRequest>
{
    public ResetPasswordRequestValidator()
    {
        RuleFor(r => r.Token).NotEmpty().WithMessage("Token is required.");
        RuleFor(r => r.NewPassword).StrongPassword();
    }
}

public sealed class AcceptInvitationRequestValidator : AbstractValidator<AcceptInvitationRequest>
{
    public AcceptInvitationRequestValidator()
    {
        RuleFor(r => r.Token).NotEmpty().WithMessage("Token is required.");
        RuleFor(r => r.Password).StrongPassword();
    }
}
