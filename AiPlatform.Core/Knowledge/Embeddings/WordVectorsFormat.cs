using System.Buffers.Binary;

namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>
/// The layout of the compact word-vector file that <see cref="WordVectorsConverter"/> writes and <see cref="WordVectors"/>
/// memory-maps. Little-endian throughout:
/// <code>
/// header       64 bytes: magic "AIPWVEC\0", int32 version, dimensions, count, bucket count, int64 file length; zero padding
/// common       dimensions float32: the unit direction all word vectors share (their frequency-weighted mean)
/// vectors      count × dimensions float32, L2-normalised; row i is the word of frequency rank i (0 = most frequent)
/// word ends    count int32: where word i's UTF-8 bytes end in the strings section (word i starts where word i - 1 ends)
/// buckets      bucket count int32 (a power of two): open addressing with linear probing on FNV-1a of the UTF-8 bytes; row + 1, 0 = empty
/// strings      the words' UTF-8 bytes, back to back
/// </code>
/// </summary>
internal static class WordVectorsFormat
{
    public const int Version = 1;
    public const int HeaderSize = 64;

    private static ReadOnlySpan<byte> Magic => "AIPWVEC\0"u8;

    public static long CommonOffset => HeaderSize;

    public static long VectorsOffset(int dimensions) => CommonOffset + (long)dimensions * sizeof(float);

    public static long VectorOffset(int index, int dimensions) => VectorsOffset(dimensions) + (long)index * dimensions * sizeof(float);

    public static long WordEndsOffset(int count, int dimensions) => VectorOffset(count, dimensions);

    public static long BucketsOffset(int count, int dimensions) => WordEndsOffset(count, dimensions) + (long)count * sizeof(int);

    public static long StringsOffset(int count, int dimensions, int bucketCount) => BucketsOffset(count, dimensions) + (long)bucketCount * sizeof(int);

    /// <summary>At most half full, so that a probe sequence stays short.</summary>
    public static int BucketCountFor(int count) => (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count * 2));

    /// <summary>FNV-1a: stable across processes and runtimes, unlike <see cref="string.GetHashCode()"/>.</summary>
    public static uint Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = 2166136261u;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    public static void WriteHeader(Span<byte> header, Header values)
    {
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], values.Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], values.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], values.BucketCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], values.FileLength);
    }

    /// <summary>Reads and checks a header; null when the bytes are not a file of this version (stale or foreign).</summary>
    public static Header? ReadHeader(ReadOnlySpan<byte> header, long fileLength)
    {
        if (header.Length < HeaderSize || !header[..8].SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != Version)
        {
            return null;
        }

        var values = new Header(
            Dimensions: BinaryPrimitives.ReadInt32LittleEndian(header[12..]),
            Count: BinaryPrimitives.ReadInt32LittleEndian(header[16..]),
            BucketCount: BinaryPrimitives.ReadInt32LittleEndian(header[20..]),
            FileLength: BinaryPrimitives.ReadInt64LittleEndian(header[24..]));
        var consistent = values.Dimensions > 0 && values.Count > 0
            && values.BucketCount == BucketCountFor(values.Count)
            && values.FileLength == fileLength
            && StringsOffset(values.Count, values.Dimensions, values.BucketCount) <= fileLength;
        return consistent ? values : null;
    }

    public readonly record struct Header(int Dimensions, int Count, int BucketCount, long FileLength);
}
