using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Messaging;

public sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    /// <summary>The channel a trigger notifies when a transaction that staged events commits (migration OutboxInsertNotification).</summary>
    public const string InsertedChannel = "outbox_messages_inserted";

    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.EventType).HasMaxLength(200);
        builder.Property(m => m.Payload).HasColumnType("jsonb");
        builder.Property(m => m.TraceParent).HasMaxLength(55);
        builder.Property(m => m.TraceState).HasMaxLength(512);
        // The relay reads unsent rows oldest first; a partial index keeps that scan small.
        builder.HasIndex(m => m.OccurredAt).HasFilter("sent_at IS NULL");
    }
}
