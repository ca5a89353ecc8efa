using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Messaging;

public sealed class UnfinishedDeliveryConfiguration : IEntityTypeConfiguration<UnfinishedDelivery>
{
    public void Configure(EntityTypeBuilder<UnfinishedDelivery> builder)
    {
        builder.ToTable("unfinished_deliveries");
        builder.HasKey(d => new { d.MessageId, d.Queue });
        builder.Property(d => d.Queue).HasMaxLength(200);
    }
}
