using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Core.Knowledge.Chunking;

/// <summary>Bound from the "Knowledge:Chunking" configuration section; a reprocess request may override both.</summary>
public sealed class ChunkingOptions : IValidatableObject
{
    public const string SectionName = "Knowledge:Chunking";

    /// <summary>The most tokens a chunk holds.</summary>
    [Range(32, 4096)]
    public int ChunkSize { get; set; } = 512;

    /// <summary>About how many tokens at the end of a chunk the next chunk of the same section repeats.</summary>
    [Range(0, 2047)]
    public int Overlap { get; set; } = 64;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Less than half, so that every chunk adds more new text than it repeats.
        if (Overlap * 2 >= ChunkSize)
        {
            yield return new ValidationResult(
                $"The field Overlap must be less than half of ChunkSize ({ChunkSize}).", [nameof(Overlap)]);
        }
    }
}
