using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Common;
using AiPlatform.Core.Credits;
using AiPlatform.Core.Data;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Api.Apis;

/// <summary>The tenant's credits: balance, ledger, usage, gifts between tenants, and the platform admin's adjustments.</summary>
public static class CreditsApi
{
    public const string Currency = "credits";

    public static RouteGroupBuilder MapCreditsApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/credits").WithTags("Credits");
        api.MapGet("/balance", GetBalance);
        api.MapGet("/history", GetHistory);
        api.MapGet("/usage", GetUsage);
        api.MapPost("/gift", Gift).RequireAuthorization(Policies.TenantAdmin);

        v1.MapGroup("/admin/tenants").WithTags("Admin").RequireAuthorization(Policies.PlatformAdmin)
            .MapPost("/{id:guid}/credits", AdjustCredits);
        return api;
    }

    public static async Task<Ok<CreditBalanceResponse>> GetBalance(AppDbContext db, CreditLedger ledger, CancellationToken cancellationToken)
    {
        var balance = await ledger.GetBalanceAsync(db.Tenant.RequiredTenantId, cancellationToken);
        return TypedResults.Ok(new CreditBalanceResponse(balance.Balance, Currency, balance.UpdatedAt));
    }

    /// <summary>The tenant's ledger, newest first.</summary>
    public static async Task<Ok<PagedResult<CreditTransactionResponse>>> GetHistory(
        [AsParameters] CreditHistoryQuery query, AppDbContext db, CancellationToken cancellationToken)
    {
        var transactions = db.CreditTransactions.AsNoTracking();
        if (ApiEnum.Parse<CreditTransactionType>(query.Type) is { } type)
        {
            transactions = transactions.Where(t => t.Type == type);
        }

        var page = await transactions.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .ToPagedResultAsync(query.ToPageRequest(), cancellationToken);
        return TypedResults.Ok(Map(page, CreditTransactionResponse.From));
    }

    /// <summary>Model usage, newest first: the whole tenant's for its admins, their own for other members.</summary>
    public static async Task<Ok<PagedResult<UsageRecordResponse>>> GetUsage(
        [AsParameters] UsageQuery query, ClaimsPrincipal principal, AppDbContext db, CancellationToken cancellationToken)
    {
        var usage = db.UsageRecords.AsNoTracking();
        if (!principal.IsInRole(RoleNames.TenantAdmin) && !principal.IsInRole(RoleNames.PlatformAdmin))
        {
            var userId = principal.UserId();
            usage = usage.Where(u => u.UserId == userId);
        }

        if (query.DateFrom is { } from)
        {
            var fromUtc = UsageQuery.AsUtc(from);
            usage = usage.Where(u => u.CreatedAt >= fromUtc);
        }

        if (query.DateTo is { } to)
        {
            var toUtc = UsageQuery.AsUtc(to);
            usage = usage.Where(u => u.CreatedAt <= toUtc);
        }

        var page = await usage.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id)
            .ToPagedResultAsync(query.ToPageRequest(), cancellationToken);
        return TypedResults.Ok(Map(page, UsageRecordResponse.From));
    }

    /// <summary>Gives credits to another tenant; answers with the sender's ledger row.</summary>
    public static async Task<Created<CreditTransactionResponse>> Gift(
        GiftCreditsRequest request, ClaimsPrincipal principal, AppDbContext db, CreditLedger ledger, CancellationToken cancellationToken)
    {
        var sent = await ledger.GiftAsync(db.Tenant.RequiredTenantId, principal.UserId(), request.RecipientEmail!.Trim(),
            request.Amount!.Value, request.Message, cancellationToken);
        return TypedResults.Created((string?)null, CreditTransactionResponse.From(sent));
    }

    public static async Task<Created<CreditTransactionResponse>> AdjustCredits(
        Guid id, AdjustCreditsRequest request, ClaimsPrincipal principal, CreditLedger ledger, CancellationToken cancellationToken)
    {
        var row = await ledger.AdjustAsync(id, request.Amount!.Value, request.Type!.Value, request.Reason!, principal.UserId(), cancellationToken);
        return TypedResults.Created((string?)null, CreditTransactionResponse.From(row));
    }

    private static PagedResult<TOut> Map<TIn, TOut>(PagedResult<TIn> page, Func<TIn, TOut> map) =>
        new(page.Items.Select(map).ToList(), page.Page, page.PageSize, page.Total, page.TotalPages);
}

public sealed record CreditBalanceResponse(decimal Balance, string Currency, DateTime? UpdatedAt);

public sealed record CreditTransactionResponse(
    Guid Id, CreditTransactionType Type, decimal Amount, decimal BalanceAfter, string Description,
    Guid? CounterpartyTenantId, Guid? UserId, Guid? UsageRecordId, DateTime CreatedAt)
{
    public static CreditTransactionResponse From(CreditTransaction t) =>
        new(t.Id, t.Type, CreditAmounts.Normalize(t.Amount), CreditAmounts.Normalize(t.BalanceAfter), t.Description,
            t.CounterpartyTenantId, t.UserId, t.UsageRecordId, t.CreatedAt);
}

public sealed record UsageRecordResponse(
    Guid Id, Guid UserId, Guid? AssistantId, Guid? ConversationId, Guid? MessageId, string Model, string Provider,
    int PromptTokens, int CompletionTokens, int TotalTokens, decimal Cost, long LatencyMs, DateTime CreatedAt)
{
    public static UsageRecordResponse From(UsageRecord u) =>
        new(u.Id, u.UserId, u.AssistantId, u.ConversationId, u.MessageId, u.Model, u.Provider,
            u.PromptTokens, u.CompletionTokens, u.PromptTokens + u.CompletionTokens, CreditAmounts.Normalize(u.Cost), u.LatencyMs, u.CreatedAt);
}

public sealed record CreditHistoryQuery(int? Page, int? PageSize, string? Type) : PageQuery(Page, PageSize);

public sealed record UsageQuery(int? Page, int? PageSize, DateTime? DateFrom, DateTime? DateTo) : PageQuery(Page, PageSize)
{
    /// <summary>A date without an offset is read as UTC, not as the server's local time.</summary>
    public static DateTime AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}

public sealed record GiftCreditsRequest(string? RecipientEmail, decimal? Amount, string? Message);

public sealed record AdjustCreditsRequest(decimal? Amount, CreditTransactionType? Type, string? Reason);

public sealed class CreditHistoryQueryValidator : AbstractValidator<CreditHistoryQuery>
{
    public CreditHistoryQueryValidator()
    {
        Include(new PageQueryValidator());
        RuleFor(q => q.Type).IsApiEnum<CreditHistoryQuery, CreditTransactionType>("type");
    }
}

public sealed class UsageQueryValidator : AbstractValidator<UsageQuery>
{
    public UsageQueryValidator()
    {
        Include(new PageQueryValidator());
        RuleFor(q => q.DateTo).Must((q, to) => UsageQuery.AsUtc(to!.Value) >= UsageQuery.AsUtc(q.DateFrom!.Value))
            .When(q => q.DateFrom is not null && q.DateTo is not null)
            .WithMessage("dateTo must not be before dateFrom.");
    }
}

public sealed class GiftCreditsRequestValidator : AbstractValidator<GiftCreditsRequest>
{
    public GiftCreditsRequestValidator()
    {
        RuleFor(r => r.RecipientEmail).ValidEmail();
        RuleFor(r => r.Amount).NotNull().WithMessage("Amount is required.")
            .Must(a => a is null || CreditAmounts.IsValidTransfer(a.Value))
            .WithMessage($"Amount must be greater than 0 and at most {CreditAmounts.MaxAmount:0}, with at most {CreditAmounts.Scale} decimal places.");
        RuleFor(r => r.Message).MaximumLength(CreditLimits.GiftMessageLength)
            .WithMessage($"Message must be at most {CreditLimits.GiftMessageLength} characters long.");
    }
}

public sealed class AdjustCreditsRequestValidator : AbstractValidator<AdjustCreditsRequest>
{
    public AdjustCreditsRequestValidator()
    {
        RuleFor(r => r.Type).NotNull().WithMessage("Type is required: PURCHASE, REFUND or ADJUSTMENT.")
            .Must(t => t is null or CreditTransactionType.Purchase or CreditTransactionType.Refund or CreditTransactionType.Adjustment)
            .WithMessage("Type must be PURCHASE, REFUND or ADJUSTMENT.");
        RuleFor(r => r.Amount).NotNull().WithMessage("Amount is required.");
        RuleFor(r => r.Amount).Must(a => CreditAmounts.IsValidTransfer(a!.Value))
            .When(r => r.Amount is not null && r.Type is not CreditTransactionType.Adjustment)
            .WithMessage($"Amount must be greater than 0 and at most {CreditAmounts.MaxAmount:0}, with at most {CreditAmounts.Scale} decimal places; use ADJUSTMENT to remove credits.");
        RuleFor(r => r.Amount).Must(a => a!.Value != 0 && Math.Abs(a.Value) <= CreditAmounts.MaxAmount && CreditAmounts.HasValidScale(a.Value))
            .When(r => r.Amount is not null && r.Type is CreditTransactionType.Adjustment)
            .WithMessage($"Amount must be non-zero, at most {CreditAmounts.MaxAmount:0} either way, with at most {CreditAmounts.Scale} decimal places.");
        RuleFor(r => r.Reason).NotEmpty().WithMessage("Reason is required.")
            .MaximumLength(CreditLimits.ReasonLength).WithMessage($"Reason must be at most {CreditLimits.ReasonLength} characters long.");
    }
}
