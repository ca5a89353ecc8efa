using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiPlatform.Core.Assistants;

public sealed class AssistantConfiguration : IEntityTypeConfiguration<Assistant>
{
    public void Configure(EntityTypeBuilder<Assistant> builder)
    {
        builder.ToTable("assistants");
        builder.Property(a => a.Name).HasMaxLength(AssistantLimits.NameLength);
        builder.Property(a => a.Description).HasMaxLength(AssistantLimits.DescriptionLength);
        builder.Property(a => a.Personality).HasMaxLength(AssistantLimits.PersonalityLength);
        builder.Property(a => a.SystemPrompt).HasMaxLength(AssistantLimits.SystemPromptLength);
        builder.Property(a => a.Model).HasMaxLength(200);
        builder.Property(a => a.Category).HasMaxLength(AssistantLimits.CategoryLength);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(a => new { a.TenantId, a.Status });
        builder.HasIndex(a => new { a.TenantId, a.CreatedAt });
        builder.HasOne<Tenancy.Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class AssistantLimits
{
    public const int NameLength = 100;
    public const int DescriptionLength = 1000;
    public const int PersonalityLength = 2000;
    public const int SystemPromptLength = 20000;
    public const int CategoryLength = 50;
    public const int MaxTools = 20;
}
