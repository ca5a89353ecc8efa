using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Conversations;

public sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("conversations");
        builder.Property(c => c.Title).HasMaxLength(ConversationLimits.TitleLength);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.CloseReason).HasMaxLength(ConversationLimits.CloseReasonLength);
        builder.Property(c => c.Summary).HasMaxLength(ConversationLimits.SummaryLength);
        builder.HasIndex(c => new { c.TenantId, c.CreatedAt });
        builder.HasIndex(c => c.AssistantId);
        builder.HasOne<Assistants.Assistant>().WithMany().HasForeignKey(c => c.AssistantId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable("messages");
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Model).HasMaxLength(200);
        builder.Property(m => m.FinishReason).HasMaxLength(50);
        builder.OwnsOne(m => m.Error, error => error.ToJson());
        builder.OwnsMany(m => m.Sources, source => source.ToJson());
        builder.HasGeneratedTsVectorColumn(m => m.SearchVector, "english", m => new { m.Content })
            .HasIndex(m => m.SearchVector).HasMethod("GIN");
        // Version-7 ids sort by creation time: the cursor for paging a conversation's history.
        builder.HasIndex(m => new { m.ConversationId, m.Id });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class ConversationLimits
{
    public const int TitleLength = 200;
    public const int CloseReasonLength = 200;
    public const int SummaryLength = 4000;
    public const int MessageLength = 32000;
}
