using AiPlatform.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Knowledge.Documents;

/// <summary>Bytes kept by <see cref="PostgresBlobStore"/>: one row per blob.</summary>
public sealed class DocumentBlob : ITenantOwned
{
    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public required byte[] Content { get; init; }
    public long Size { get; init; }
    public DateTime CreatedAt { get; init; }
}

public sealed class DocumentBlobConfiguration : IEntityTypeConfiguration<DocumentBlob>
{
    public void Configure(EntityTypeBuilder<DocumentBlob> builder)
    {
        builder.ToTable("document_blobs");
        builder.Property(b => b.Id).ValueGeneratedNever();
        // Stored files are mostly text, which PostgreSQL compresses on insert: lz4 does it for a fraction of pglz's CPU.
        builder.Property(b => b.Content).HasColumnType("bytea").UseCompressionMethod("lz4");
        builder.HasIndex(b => b.TenantId);
        builder.HasOne<Tenancy.Tenant>().WithMany().HasForeignKey(b => b.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
