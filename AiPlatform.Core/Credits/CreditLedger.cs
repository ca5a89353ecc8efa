using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using AiPlatform.Core.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AiPlatform.Core.Credits;

/// <summary>What a model call used, as the chat code reports it to <see cref="CreditLedger.SettleUsageAsync"/>.</summary>
/// <param name="Cost">Credits the call cost (see <see cref="CreditAmounts.CostOf"/>); rounded up to four decimals. 0 for <c>local</c>.</param>
public sealed record UsageEntry(
    Guid TenantId,
    Guid UserId,
    string Model,
    string Provider,
    int PromptTokens,
    int CompletionTokens,
    decimal Cost,
    long LatencyMs,
    Guid? AssistantId = null,
    Guid? ConversationId = null,
    Guid? MessageId = null);

/// <param name="Debit">The ledger row; null when the call cost nothing.</param>
/// <param name="BalanceAfter">The tenant's balance after the debit; null when nothing was debited.</param>
public sealed record UsageSettlement(UsageRecord Usage, CreditTransaction? Debit, decimal? BalanceAfter);

/// <param name="UpdatedAt">When the balance last changed; null for a tenant that never had an account.</param>
public sealed record CreditBalance(decimal Balance, DateTime? UpdatedAt);

/// <summary>
/// The credits ledger: every change of a tenant's balance is one atomic UPDATE of its
/// <see cref="CreditAccount"/> plus the <see cref="CreditTransaction"/> row that explains it, in the same
/// transaction, so the cached balance always equals the sum of the ledger.
/// <para>
/// Overdraft policy. Gifts, and admin adjustments, never take a balance below zero: the debit is
/// conditional (<c>WHERE balance &gt;= @amount</c>) and refused otherwise. Settling a model call is not:
/// the model has already answered (and been paid for upstream), so the reply and its cost are always
/// recorded, even if concurrent calls that each passed <see cref="EnsureCanAffordAsync"/> together spend
/// more than the balance. The overdraft is therefore bounded by the calls in flight at once; a negative
/// balance refuses every further paid call (and gift) until credits are added.
/// </para>
/// </summary>
public sealed class CreditLedger(
    AppDbContext db,
    IOptions<CreditOptions> options,
    TimeProvider clock,
    ILogger<CreditLedger> logger)
{
    private static readonly CreditTransactionType[] AdminTypes =
        [CreditTransactionType.Purchase, CreditTransactionType.Refund, CreditTransactionType.Adjustment];

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The tenant's cached balance (0 if it has no account yet). Subject to the caller's tenant scope.</summary>
    public async Task<CreditBalance> GetBalanceAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        var account = await db.CreditAccounts.AsNoTracking().Where(a => a.TenantId == tenantId)
            .Select(a => new { a.Balance, a.UpdatedAt }).SingleOrDefaultAsync(cancellationToken);
        return account is null
            ? new CreditBalance(0m, null)
            : new CreditBalance(CreditAmounts.Normalize(account.Balance), account.UpdatedAt);
    }

    /// <summary>
    /// Call before a model call: throws 402 <c>INSUFFICIENT_CREDITS</c> when the balance is below
    /// <paramref name="estimatedCost"/>. A free call (estimate 0, e.g. the <c>local</c> model) is never refused.
    /// </summary>
    public async Task EnsureCanAffordAsync(Guid tenantId, decimal estimatedCost, CancellationToken cancellationToken = default) =>
        // A free call needs no balance.
        EnsureCanAfford(estimatedCost > 0 ? (await GetBalanceAsync(tenantId, cancellationToken)).Balance : 0m, estimatedCost);

    /// <summary><see cref="EnsureCanAffordAsync"/> against a balance the caller has just read.</summary>
    public static void EnsureCanAfford(decimal balance, decimal estimatedCost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedCost);
        balance = CreditAmounts.Normalize(balance);
        if (estimatedCost > 0 && balance < estimatedCost)
        {
            throw new DomainException(402, ErrorCodes.InsufficientCredits,
                $"Insufficient credits: this call is estimated to cost {CreditAmounts.Format(estimatedCost)} credits " +
                $"but the balance is {CreditAmounts.Format(balance)} credits.",
                new { balance, estimatedCost = CreditAmounts.Normalize(estimatedCost) });
        }
    }

    /// <summary>
    /// Adds a <see cref="UsageRecord"/> to the context without charging for it and without saving: it is
    /// written by the caller's next SaveChanges. <see cref="SettleUsageAsync"/> is what a model call wants;
    /// this is for usage the platform absorbs.
    /// </summary>
    public UsageRecord StageUsage(UsageEntry usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentException.ThrowIfNullOrWhiteSpace(usage.Model);
        ArgumentException.ThrowIfNullOrWhiteSpace(usage.Provider);
        ArgumentOutOfRangeException.ThrowIfNegative(usage.PromptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(usage.CompletionTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(usage.Cost);
        ArgumentOutOfRangeException.ThrowIfNegative(usage.LatencyMs);

        var record = new UsageRecord
        {
            TenantId = usage.TenantId,
            UserId = usage.UserId,
            AssistantId = usage.AssistantId,
            ConversationId = usage.ConversationId,
            MessageId = usage.MessageId,
            Model = Truncate(usage.Model, 200),
            Provider = Truncate(usage.Provider, 100),
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            Cost = CreditAmounts.RoundUp(usage.Cost),
            LatencyMs = usage.LatencyMs,
            CreatedAt = Now,
        };
        db.UsageRecords.Add(record);
        return record;
    }

    /// <summary>
    /// Records a model call's usage and debits its cost, inside the CALLER's transaction (its
    /// <c>InTransactionAsync</c>), so they commit or roll back with the stored reply. It saves the context
    /// (the caller's staged reply included). A zero-cost call records usage but writes no ledger row and
    /// leaves the balance alone. The debit never refuses: the balance may go negative (see the class remarks).
    /// </summary>
    /// <exception cref="InvalidOperationException">No transaction is open on the context.</exception>
    public async Task<UsageSettlement> SettleUsageAsync(UsageEntry usage, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException(
                "SettleUsageAsync must run inside the caller's transaction (AppDbContext.InTransactionAsync) " +
                "so the usage, the debit and the stored reply commit together.");
        }

        var record = StageUsage(usage);
        CreditTransaction? debit = null;
        if (record.Cost > 0)
        {
            // One atomic statement under the account's row lock; creates the account if the tenant never had one.
            var balance = (await db.Database.SqlQuery<decimal>($"""
                INSERT INTO credit_accounts (tenant_id, balance, updated_at) VALUES ({record.TenantId}, {-record.Cost}, {record.CreatedAt})
                ON CONFLICT (tenant_id) DO UPDATE
                    SET balance = credit_accounts.balance - {record.Cost}, updated_at = EXCLUDED.updated_at
                RETURNING balance AS "Value"
                """).ToListAsync(cancellationToken)).Single();
            debit = new CreditTransaction
            {
                TenantId = record.TenantId,
                Type = CreditTransactionType.Usage,
                Amount = -record.Cost,
                BalanceAfter = balance,
                Description = Truncate($"{record.Model} ({record.Provider}): {record.PromptTokens} prompt + {record.CompletionTokens} completion tokens",
                    CreditLimits.DescriptionLength),
                UserId = record.UserId,
                UsageRecordId = record.Id,
                CreatedAt = record.CreatedAt,
            };
            db.CreditTransactions.Add(debit);
            if (balance < 0)
            {
                logger.LogWarning("Tenant {TenantId} is overdrawn by {Overdraft} credits after settling usage {UsageRecordId}",
                    record.TenantId, -balance, record.Id);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return new UsageSettlement(record, debit, debit?.BalanceAfter);
    }

    /// <summary>
    /// Moves <paramref name="amount"/> credits from the sender's tenant to the tenant of the user with
    /// <paramref name="recipientEmail"/>, atomically: both balances and both ledger rows, or nothing.
    /// Never overdraws, whatever runs concurrently. Returns the sender's ledger row.
    /// </summary>
    /// <exception cref="DomainException">422 bad amount or own tenant; 404 unknown email; 402 insufficient credits.</exception>
    public async Task<CreditTransaction> GiftAsync(
        Guid fromTenantId, Guid fromUserId, string recipientEmail, decimal amount, string? message,
        CancellationToken cancellationToken = default)
    {
        if (!CreditAmounts.IsValidTransfer(amount))
        {
            throw InvalidTransferAmount("amount");
        }

        message = string.IsNullOrWhiteSpace(message) ? null : message.Trim();
        if (message?.Length > CreditLimits.GiftMessageLength)
        {
            throw DomainException.Validation("message", $"Message must be at most {CreditLimits.GiftMessageLength} characters long.");
        }

        var normalizedEmail = User.Normalize(recipientEmail);
        // Before any connection opens: the recipient and its account belong to another tenant.
        using var system = db.Tenant.BeginSystemScope();
        var recipient = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalizedEmail)
            .Select(u => new { u.TenantId, u.Email }).SingleOrDefaultAsync(cancellationToken)
            ?? throw new DomainException(404, ErrorCodes.ResourceNotFound, "No user with this email was found.");
        if (recipient.TenantId == fromTenantId)
        {
            throw DomainException.Validation("recipientEmail",
                "Credits can only be gifted to another tenant; this email belongs to your own tenant.");
        }

        var senderEmail = await db.Users.AsNoTracking().Where(u => u.Id == fromUserId && u.TenantId == fromTenantId)
            .Select(u => u.Email).SingleOrDefaultAsync(cancellationToken) ?? "another tenant";
        var suffix = message is null ? "" : $": {message}";

        return await GuardNumericOverflowAsync(() => db.InTransactionAsync(async ct =>
        {
            var now = Now;
            await LockAccountsAsync([fromTenantId, recipient.TenantId], now, ct);
            var senderBalance = await ApplyAsync(fromTenantId, -amount, mayOverdraw: false, now, ct);
            if (senderBalance is null)
            {
                var balance = await LockedBalanceAsync(fromTenantId, ct);
                throw new DomainException(402, ErrorCodes.InsufficientCredits,
                    $"Insufficient credits: the gift is {CreditAmounts.Format(amount)} credits but the balance is {CreditAmounts.Format(balance)} credits.",
                    new { balance = CreditAmounts.Normalize(balance), amount = CreditAmounts.Normalize(amount) });
            }

            var recipientBalance = await ApplyAsync(recipient.TenantId, amount, mayOverdraw: true, now, ct)
                ?? throw new InvalidOperationException("The recipient's credit account vanished under its lock.");
            var sent = new CreditTransaction
            {
                TenantId = fromTenantId,
                Type = CreditTransactionType.Gift,
                Amount = -amount,
                BalanceAfter = senderBalance.Value,
                Description = Truncate($"Gift to {recipient.Email}{suffix}", CreditLimits.DescriptionLength),
                CounterpartyTenantId = recipient.TenantId,
                UserId = fromUserId,
                CreatedAt = now,
            };
            var received = new CreditTransaction
            {
                TenantId = recipient.TenantId,
                Type = CreditTransactionType.Gift,
                Amount = amount,
                BalanceAfter = recipientBalance,
                Description = Truncate($"Gift from {senderEmail}{suffix}", CreditLimits.DescriptionLength),
                CounterpartyTenantId = fromTenantId,
                UserId = fromUserId,
                CreatedAt = now,
            };
            db.CreditTransactions.AddRange(sent, received);
            await db.SaveChangesAsync(ct);
            return sent;
        }, cancellationToken));
    }

    /// <summary>
    /// A platform admin's change to a tenant's balance: <see cref="CreditTransactionType.Purchase"/> and
    /// <see cref="CreditTransactionType.Refund"/> add credits; an <see cref="CreditTransactionType.Adjustment"/>
    /// may also remove them, but never below zero. Returns the ledger row.
    /// </summary>
    /// <exception cref="DomainException">422 bad type, amount or reason, or a balance that would go negative; 404 unknown tenant.</exception>
    public async Task<CreditTransaction> AdjustAsync(
        Guid tenantId, decimal amount, CreditTransactionType type, string reason, Guid adminUserId,
        CancellationToken cancellationToken = default)
    {
        if (!AdminTypes.Contains(type))
        {
            throw DomainException.Validation("type", "Type must be PURCHASE, REFUND or ADJUSTMENT.");
        }

        var valid = type == CreditTransactionType.Adjustment
            ? amount != 0 && Math.Abs(amount) <= CreditAmounts.MaxAmount && CreditAmounts.HasValidScale(amount)
            : CreditAmounts.IsValidTransfer(amount);
        if (!valid)
        {
            throw type == CreditTransactionType.Adjustment
                ? DomainException.Validation("amount",
                    $"Amount must be non-zero, at most {CreditAmounts.MaxAmount:0} either way, with at most {CreditAmounts.Scale} decimal places.")
                : InvalidTransferAmount("amount");
        }

        reason = reason?.Trim() ?? "";
        if (reason.Length is 0 or > CreditLimits.ReasonLength)
        {
            throw DomainException.Validation("reason", $"Reason is required and must be at most {CreditLimits.ReasonLength} characters long.");
        }

        using var system = db.Tenant.BeginSystemScope();
        return await GuardNumericOverflowAsync(() => db.InTransactionAsync(async ct =>
        {
            if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
            {
                throw DomainException.NotFound("Tenant");
            }

            var now = Now;
            await LockAccountsAsync([tenantId], now, ct);
            var balance = await ApplyAsync(tenantId, amount, mayOverdraw: false, now, ct);
            if (balance is null)
            {
                var current = await LockedBalanceAsync(tenantId, ct);
                throw DomainException.Validation("amount",
                    $"This adjustment would take the balance below zero: the balance is {CreditAmounts.Format(current)} credits.");
            }

            var row = new CreditTransaction
            {
                TenantId = tenantId,
                Type = type,
                Amount = amount,
                BalanceAfter = balance.Value,
                Description = reason,
                UserId = adminUserId,
                CreatedAt = now,
            };
            db.CreditTransactions.Add(row);
            await db.SaveChangesAsync(ct);
            return row;
        }, cancellationToken));
    }

    /// <summary>
    /// Stages a new tenant's account with <c>Credits:SignupCredits</c> and, if that is above zero, the
    /// matching ledger row, for the registration's own SaveChanges. It is a platform
    /// <see cref="CreditTransactionType.Gift"/> (no counterparty): free credits, not a purchase, so sums of
    /// purchases stay sums of credits paid for.
    /// </summary>
    public void StageSignupGrant(Guid tenantId, Guid? userId)
    {
        var credits = options.Value.SignupCredits;
        var now = Now;
        db.CreditAccounts.Add(new CreditAccount { TenantId = tenantId, Balance = credits, UpdatedAt = now });
        if (credits > 0)
        {
            db.CreditTransactions.Add(new CreditTransaction
            {
                TenantId = tenantId,
                Type = CreditTransactionType.Gift,
                Amount = credits,
                BalanceAfter = credits,
                Description = "Signup credits",
                UserId = userId,
                CreatedAt = now,
            });
        }
    }

    /// <summary>
    /// Makes sure the accounts exist, then locks them in one order (uuid order, by PostgreSQL itself), so two
    /// transfers between the same tenants in opposite directions wait for each other instead of deadlocking.
    /// </summary>
    private async Task LockAccountsAsync(Guid[] tenantIds, DateTime now, CancellationToken cancellationToken)
    {
        var ids = tenantIds.Distinct().ToArray();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO credit_accounts (tenant_id, balance, updated_at)
            SELECT id, 0, {now} FROM unnest({ids}) AS id ORDER BY id
            ON CONFLICT (tenant_id) DO NOTHING
            """, cancellationToken);
        await db.Database.SqlQuery<Guid>($"""
            SELECT tenant_id AS "Value" FROM credit_accounts WHERE tenant_id = ANY({ids}) ORDER BY tenant_id FOR UPDATE
            """).ToListAsync(cancellationToken);
    }

    /// <summary>Adds <paramref name="delta"/>; a debit that may not overdraw only happens if the balance covers it. Null when refused.</summary>
    private async Task<decimal?> ApplyAsync(Guid tenantId, decimal delta, bool mayOverdraw, DateTime now, CancellationToken cancellationToken)
    {
        var rows = delta < 0 && !mayOverdraw
            ? await db.Database.SqlQuery<decimal>($"""
                UPDATE credit_accounts SET balance = balance + {delta}, updated_at = {now}
                WHERE tenant_id = {tenantId} AND balance >= {-delta}
                RETURNING balance AS "Value"
                """).ToListAsync(cancellationToken)
            : await db.Database.SqlQuery<decimal>($"""
                UPDATE credit_accounts SET balance = balance + {delta}, updated_at = {now}
                WHERE tenant_id = {tenantId}
                RETURNING balance AS "Value"
                """).ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    private async Task<decimal> LockedBalanceAsync(Guid tenantId, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<decimal>($"SELECT balance AS \"Value\" FROM credit_accounts WHERE tenant_id = {tenantId}")
            .ToListAsync(cancellationToken)).Single();

    private static async Task<T> GuardNumericOverflowAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (FindPostgres(ex)?.SqlState == PostgresErrorCodes.NumericValueOutOfRange)
        {
            throw DomainException.Validation("amount", "This would take a balance beyond the largest one an account can hold.");
        }
    }

    private static PostgresException? FindPostgres(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is PostgresException postgres)
            {
                return postgres;
            }
        }

        return null;
    }

    private static DomainException InvalidTransferAmount(string field) =>
        DomainException.Validation(field,
            $"Amount must be greater than 0 and at most {CreditAmounts.MaxAmount:0}, with at most {CreditAmounts.Scale} decimal places.");

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
