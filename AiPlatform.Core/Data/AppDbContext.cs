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
/// </summary>
public sealed class AppDbContext : DbContext
{
    private readonly TenantContext _tenant;

    public AppDbContext(DbContextOptions<AppDbContext> options, TenantContext tenant) : base(options)
    {
        _tenant = tenant;
        // A failed SaveChanges inside our transactions ends the unit of work (InTransactionAsync retries it whole), so
        // the savepoint EF would wrap around each one is two wasted round trips.
        Database.AutoSavepointsEnabled = false;
    }

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
