namespace AiPlatform.Core.Tenancy;

/// <summary>
/// Who the current unit of work acts for. Scoped: the API fills it from the access token, the Worker
/// from the message it handles. The data layer reads it for the EF query filters and for the
/// PostgreSQL session settings that row-level security policies check.
/// </summary>
public sealed class TenantContext
{
    public Guid? TenantId { get; private set; }
    public Guid? UserId { get; private set; }

    /// <summary>
    /// True only inside <see cref="BeginSystemScope"/>: platform work that must see every tenant
    /// (login by email, platform administration, the outbox relay).
    /// </summary>
    public bool IsSystem { get; private set; }

    public Guid RequiredTenantId =>
        TenantId ?? throw new InvalidOperationException("No tenant is set for this unit of work.");

    public void SetTenant(Guid tenantId, Guid? userId = null)
    {
        TenantId = tenantId;
        UserId = userId;
    }

    /// <summary>
    /// Lifts tenant isolation until disposed. Connections opened inside the scope get the bypass
    /// setting; call it before the work opens its connection or transaction.
    /// </summary>
    public IDisposable BeginSystemScope()
    {
        var previous = IsSystem;
        IsSystem = true;
        return new ScopeExit(() => IsSystem = previous);
    }

    private sealed class ScopeExit(Action onExit) : IDisposable
    {
        public void Dispose() => onExit();
    }
}
