using AiPlatform.Core.Common;

namespace AiPlatform.Core.Credits;

/// <summary>Why credits moved. Stored by name; the API spells it UPPER_SNAKE.</summary>
public enum CreditTransactionType
{
    /// <summary>Credits bought (recorded by a platform admin until billing exists).</summary>
    Purchase,

    /// <summary>A model call's cost.</summary>
    Usage,

    /// <summary>
    /// Credits given for nothing: between tenants (with <see cref="CreditTransaction.CounterpartyTenantId"/>)
    /// or by the platform (no counterparty), such as the signup credits.
    /// </summary>
    Gift,

    /// <summary>Credits returned to a tenant, e.g. for a failed or disputed call.</summary>
    Refund,

    /// <summary>A platform admin's correction, either way.</summary>
    Adjustment,
}

/// <summary>
/// One row of a tenant's append-only credits ledger. Never updated or deleted (a trigger refuses both);
/// a correction is a new <see cref="CreditTransactionType.Adjustment"/> row. The tenant's
/// <see cref="CreditAccount.Balance"/> equals the sum of its rows' <see cref="Amount"/>.
/// </summary>
public sealed class CreditTransaction : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public CreditTransactionType Type { get; init; }

    /// <summary>Signed: positive credits the tenant, negative debits it.</summary>
    public decimal Amount { get; init; }

    /// <summary>The tenant's balance right after this row, taken under the account's row lock.</summary>
    public decimal BalanceAfter { get; init; }

    public required string Description { get; init; }

    /// <summary>The other tenant of a gift; null for everything else (and for platform grants).</summary>
    public Guid? CounterpartyTenantId { get; init; }

    /// <summary>Who caused it: the gift's sender, the admin who adjusted, the user whose call was charged.</summary>
    public Guid? UserId { get; init; }

    public Guid? UsageRecordId { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// A tenant's cached balance. Only ever changed in the same transaction as the ledger row that explains it,
/// by one atomic UPDATE, so <see cref="Balance"/> == SUM(ledger amounts) by construction. It may go below
/// zero only through settling a model call that has already been made (see <see cref="CreditLedger"/>).
/// </summary>
public sealed class CreditAccount : ITenantOwned
{
    public Guid TenantId { get; init; }
    public decimal Balance { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One model call's metering, whether or not it cost anything.</summary>
public sealed class UsageRecord : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public Guid UserId { get; init; }
    public Guid? AssistantId { get; init; }
    public Guid? ConversationId { get; init; }
    public Guid? MessageId { get; init; }
    public required string Model { get; init; }
    public required string Provider { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }

    /// <summary>Credits charged for the call (0 for the built-in <c>local</c> model).</summary>
    public decimal Cost { get; init; }

    public long LatencyMs { get; init; }
    public DateTime CreatedAt { get; init; }
}
