using System.Numerics.Tensors;

namespace AiPlatform.Core.Knowledge.Embeddings;

internal static class UnitVector
{
    /// <summary>Scales <paramref name="vector"/> to length 1 in place; the zero vector stays zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
