using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Credits;

public sealed class CreditTransactionConfiguration : IEntityTypeConfiguration<CreditTransaction>
{
    public void Configure(EntityTypeBuilder<CreditTransaction> builder)
    {
        builder.ToTable("credit_transactions");
        builder.Property(t => t.Type).HasConversion<string>().HasMaxLength(20);
        builder.Property(t => t.Amount).HasPrecision(CreditAmounts.Precision, CreditAmounts.Scale);
        builder.Property(t => t.BalanceAfter).HasPrecision(CreditAmounts.Precision, CreditAmounts.Scale);
        builder.Property(t => t.Description).HasMaxLength(CreditLimits.DescriptionLength);
        // History pages newest first, optionally by type.
        builder.HasIndex(t => new { t.TenantId, t.CreatedAt });
        builder.HasIndex(t => new { t.TenantId, t.Type, t.CreatedAt });
        builder.HasIndex(t => t.UsageRecordId);
        builder.HasOne<Tenancy.Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
        // NO ACTION, checked at the end of the statement: a usage record with a ledger row cannot be deleted on
        // its own, while deleting the tenant removes both.
        builder.HasOne<UsageRecord>().WithMany().HasForeignKey(t => t.UsageRecordId).OnDelete(DeleteBehavior.NoAction);
        // No foreign key to the counterparty tenant or the user: the ledger outlives both.
    }
}

public sealed class CreditAccountConfiguration : IEntityTypeConfiguration<CreditAccount>
{
    public void Configure(EntityTypeBuilder<CreditAccount> builder)
    {
        builder.ToTable("credit_accounts");
        builder.HasKey(a => a.TenantId);
        builder.Property(a => a.TenantId).ValueGeneratedNever();
        builder.Property(a => a.Balance).HasPrecision(CreditAmounts.Precision, CreditAmounts.Scale);
        builder.HasOne<Tenancy.Tenant>().WithOne().HasForeignKey<CreditAccount>(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public void Configure(EntityTypeBuilder<UsageRecord> builder)
    {
        builder.ToTable("usage_records");
        builder.Property(u => u.Model).HasMaxLength(200);
        builder.Property(u => u.Provider).HasMaxLength(100);
        builder.Property(u => u.Cost).HasPrecision(CreditAmounts.Precision, CreditAmounts.Scale);
        builder.HasIndex(u => new { u.TenantId, u.CreatedAt });
        builder.HasIndex(u => new { u.TenantId, u.UserId, u.CreatedAt });
        builder.HasOne<Tenancy.Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Cascade);
        // No foreign keys to users, assistants, conversations or messages: metering outlives them.
    }
}
