using System.Linq.Expressions;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Common;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Core.Data;

/// <summary>
/// The platform's one database. Tenant isolation is enforced twice: a query filter on every
/// <see cref="ITenantOwned"/> entity here, and row-level security in PostgreSQL
/// (see <see cref="TenantSessionInterceptor"/> and the migrations' policies).
/// Instances are pooled: each unit of work rents one and hands it its <see cref="TenantContext"/>
/// (<see cref="ForUnitOfWork"/>); one returned to the pool, or taken from it without a unit of work, has no tenant and
/// sees no tenant's rows.
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    private TenantContext _tenant = new();

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<UserToken> UserTokens => Set<UserToken>();
    public DbSet<Assistant> Assistants => Set<Assistant>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<Credits.CreditAccount> CreditAccounts => Set<Credits.CreditAccount>();
    public DbSet<Credits.CreditTransaction> CreditTransactions => Set<Credits.CreditTransaction>();
    public DbSet<Credits.UsageRecord> UsageRecords => Set<Credits.UsageRecord>();
    public DbSet<Knowledge.Documents.Document> Documents => Set<Knowledge.Documents.Document>();
    public DbSet<Knowledge.Documents.DocumentBlob> DocumentBlobs => Set<Knowledge.Documents.DocumentBlob>();
    public DbSet<Knowledge.Index.DocumentChunk> DocumentChunks => Set<Knowledge.Index.DocumentChunk>();
    public DbSet<Knowledge.Index.KnowledgeRevision> KnowledgeRevisions => Set<Knowledge.Index.KnowledgeRevision>();

    public TenantContext Tenant => _tenant;

    /// <summary>
    /// Set while the tenant's session settings travel with the first batch on the connection being opened, instead of
    /// in a round trip of their own (<see cref="TenantSessionInterceptor.ExecuteFirstBatchAsync"/>).
    /// </summary>
    internal bool SessionSettingsInFirstBatch { get; set; }

    /// <summary>Gives a context just rented from the pool to a unit of work acting for <paramref name="tenant"/>.</summary>
    public AppDbContext ForUnitOfWork(TenantContext tenant)
    {
        _tenant = tenant;
        // A failed SaveChanges inside our transactions ends the unit of work (InTransactionAsync retries it whole), so
        // the savepoint EF would wrap around each one is two wasted round trips. Set on every rent: the pool resets it.
        Database.AutoSavepointsEnabled = false;
        return this;
    }

    public override void Dispose()
    {
        _tenant = new();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        _tenant = new();
        return base.DisposeAsync();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

        modelBuilder.Entity<Tenant>().HasQueryFilter(t => _tenant.IsSystem || t.Id == _tenant.TenantId);
        foreach (var entityType in modelBuilder.Model.GetEntityTypes()
                     .Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType) && !e.IsOwned()))
        {
            modelBuilder.Entity(entityType.ClrType).HasQueryFilter(TenantFilterFor(entityType.ClrType));
        }
    }

    // e => tenant.IsSystem || e.TenantId == tenant.TenantId, built per type; EF parameterizes the
    // reference to this context's tenant, so the cached model serves every request.
    private LambdaExpression TenantFilterFor(Type entityClrType)
    {
        var entity = Expression.Parameter(entityClrType, "e");
        var tenantContext = Expression.Property(Expression.Constant(this), nameof(Tenant));
        var isSystem = Expression.Property(tenantContext, nameof(TenantContext.IsSystem));
        var entityTenant = Expression.Convert(
            Expression.Property(entity, nameof(ITenantOwned.TenantId)), typeof(Guid?));
        var currentTenant = Expression.Property(tenantContext, nameof(TenantContext.TenantId));
        return Expression.Lambda(Expression.OrElse(isSystem, Expression.Equal(entityTenant, currentTenant)), entity);
    }
}
