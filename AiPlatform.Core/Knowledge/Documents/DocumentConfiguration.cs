using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Knowledge.Documents;

public sealed class DocumentConfiguration : IEntityTypeConfiguration<Document>
{
    public void Configure(EntityTypeBuilder<Document> builder)
    {
        builder.ToTable("documents");
        builder.Property(d => d.FileName).HasMaxLength(DocumentLimits.FileNameLength);
        builder.Property(d => d.ContentType).HasMaxLength(DocumentLimits.ContentTypeLength);
        builder.Property(d => d.Type).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Sha256).HasMaxLength(64);
        builder.Property(d => d.Error).HasMaxLength(DocumentLimits.ErrorLength);
        builder.Property(d => d.Metadata).HasColumnType("jsonb");
        builder.Property(d => d.AssistantIds).HasColumnType("uuid[]");
        builder.HasIndex(d => new { d.TenantId, d.UploadedAt });
        builder.HasIndex(d => new { d.TenantId, d.Status });
        builder.HasIndex(d => d.BlobId).IsUnique();
        builder.HasOne<Tenancy.Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
