using AiPlatform.Core.Knowledge.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Knowledge.Index;

public sealed class DocumentChunkConfiguration : IEntityTypeConfiguration<DocumentChunk>
{
    public const string SearchIndexName = "ix_document_chunks_search_vector";

    public void Configure(EntityTypeBuilder<DocumentChunk> builder)
    {
        builder.ToTable("document_chunks");
        // A chunk's text (about 2.4 kB) and its tsvector (about 3 kB) take its row over the 2 kB at which PostgreSQL
        // compresses and moves values out of line, so every insert compresses both. lz4 does that for less CPU than the
        // default pglz (which hardly shrinks a tsvector) and reads back faster. Keeping rows whole in the heap
        // (toast_tuple_target) saves about as much, but at a row per page the heap the vector cache scans grows tenfold.
        builder.Property(c => c.Text).UseCompressionMethod("lz4");
        builder.Property(c => c.SearchVector).UseCompressionMethod("lz4");
        builder.Property(c => c.Heading).HasMaxLength(DocumentChunkLimits.HeadingLength);
        builder.Property(c => c.Embedding).HasColumnType("real[]");
        builder.Property(c => c.EmbeddingGenerator).HasMaxLength(DocumentChunkLimits.GeneratorLength);
        // New chunks wait in GIN's pending list (a page per chunk), which every search reads linearly, until it is
        // merged into the index: the Worker merges a document's chunks before it commits them (ChunkRows), so searches
        // never see them pending. The merge costs least per chunk in large batches (about 0.6 ms of the backend's CPU
        // per chunk at 300 chunks, 1 ms at 32), so the limit that merges on its own stays at PostgreSQL's default of
        // 4 MB (about 500 chunks), for the chunks of documents still being stored.
        builder.HasGeneratedTsVectorColumn(c => c.SearchVector, "english", c => new { c.Text })
            .HasIndex(c => c.SearchVector, SearchIndexName).HasMethod("GIN").HasStorageParameter("gin_pending_list_limit", 4096);
        // A document's chunks are numbered once per version: a job that ran twice cannot leave two copies.
        builder.HasIndex(c => new { c.DocumentId, c.Ordinal }).IsUnique();
        // The vector cache loads a tenant's vectors of one generator.
        builder.HasIndex(c => new { c.TenantId, c.EmbeddingGenerator });
        builder.HasOne<Document>().WithMany().HasForeignKey(c => c.DocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}
