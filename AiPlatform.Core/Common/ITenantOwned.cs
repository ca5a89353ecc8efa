namespace AiPlatform.Core.Common;

/// <summary>
/// A row that belongs to exactly one tenant. Every such entity gets an EF Core query filter
/// and a PostgreSQL row-level security policy keyed on <see cref="TenantId"/>.
/// </summary>
public interface ITenantOwned
{
    Guid TenantId { get; }
}
