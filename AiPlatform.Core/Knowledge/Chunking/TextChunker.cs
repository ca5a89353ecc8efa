using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using AiPlatform.Core.Knowledge.Extraction;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace AiPlatform.Core.Knowledge.Chunking;

/// <summary>
/// Cuts extracted sections into chunks of at most <see cref="ChunkingOptions.ChunkSize"/> tokens. A chunk never spans
/// two sections, so it keeps one page and heading to cite. Within a section it ends at the strongest boundary that
/// still leaves it at least half full — a paragraph, then a sentence, then a line, then a word — and splits a word
/// only when the word alone is larger than a chunk. The next chunk of the section starts about
/// <see cref="ChunkingOptions.Overlap"/> tokens earlier, at a sentence start if one is near, otherwise at a word.
/// </summary>
/// <remarks>
/// Tokens are counted once per word, and chunks planned from the sums; each chunk is counted once more as a whole,
/// which decides its size. With a pre-tokenizer (tiktoken's splits words, numbers and punctuation the same way in a
/// word as in a whole text) the tokenizer encodes each piece on its own, so a text's count is the sum of its pieces'
/// counts: each distinct piece is encoded once, and counting a chunk again only splits it into pieces, so even text of
/// unique words (identifiers, numbers) costs little. Total work is linear in the text.
/// </remarks>
public sealed class TextChunker(Tokenizer tokenizer, IOptions<ChunkingOptions> defaults)
{
    // Shared by all documents: most pieces of one are in the next one too.
    private readonly PieceTokenCounter _counter = new(tokenizer);

    /// <summary>Chunks <paramref name="sections"/> in order, numbering the chunks from 0.</summary>
    /// <param name="options">Overrides the configured options, for one document.</param>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public IReadOnlyList<Chunk> Chunk(
        IEnumerable<ExtractedSection> sections, ChunkingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var settings = options ?? defaults.Value;
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), errors, validateAllProperties: true))
        {
            throw new ArgumentException(string.Join(" ", errors.Select(error => error.ErrorMessage)), nameof(options));
        }

        var chunks = new List<Chunk>();
        foreach (var section in sections)
        {
            cancellationToken.ThrowIfCancellationRequested();
            new SectionChunker(tokenizer, _counter, settings, section, chunks).Run();
        }

        return chunks;
    }

    /// <summary>What separates a word from the one before it; the higher, the better a place to end a chunk.</summary>
    /// <remarks>
    /// A single line break ranks below a sentence end: in hard-wrapped text (mail, RFCs, books) it is only where
    /// the line was full. Rows of CSV and JSON are lines too, but each row names its own fields, so cutting one at
    /// a sentence inside a value still leaves both parts readable.
    /// </remarks>
    private enum Boundary : byte
    {
        InsideWord,
        Word,
        Line,
        Sentence,
        Paragraph,
    }

    /// <summary>A word with the whitespace before it: Text[Start..End], the word itself from WordStart.</summary>
    private readonly record struct Atom(int Start, int WordStart, int End, int Tokens, Boundary Before);

    /// <summary>
    /// Token counts of pieces of text, safe to share between threads. Pieces repeat a lot (a few hundred words make
    /// half of any text, and a language's words recur from document to document), and a call into the tokenizer costs
    /// microseconds even for one token, so remembering the counts is several times faster.
    /// </summary>
    private sealed class PieceTokenCounter(Tokenizer tokenizer)
    {
        // Bounds the memory a stream of ever new pieces can take (a few megabytes).
        private const int Capacity = 100_000;
        private readonly ConcurrentDictionary<string, int> _counts = new();
        private int _remembered;

        public int Count(ReadOnlySpan<char> piece)
        {
            var lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(piece, out var count))
            {
                return count;
            }

            count = tokenizer.CountTokens(piece);
            if (Volatile.Read(ref _remembered) < Capacity && lookup.TryAdd(piece, count))
            {
                Interlocked.Increment(ref _remembered);
            }

            return count;
        }
    }

    /// <summary>A piece of the section as the pre-tokenizer splits it, with its token count.</summary>
    private readonly record struct Piece(int Offset, int Length, int Tokens);

    private static readonly Comparer<Piece> PieceOffsets = Comparer<Piece>.Create((a, b) => a.Offset.CompareTo(b.Offset));

    private sealed class SectionChunker(
        Tokenizer tokenizer, PieceTokenCounter counter, ChunkingOptions options, ExtractedSection section, List<Chunk> chunks)
    {
        private readonly List<Atom> _atoms = [];
        private readonly List<Piece> _pieces = [];
        private readonly string _text = section.Text;
        private readonly int _size = options.ChunkSize;

        // The margin absorbs the difference a word's count can make once the whitespace before it is trimmed.
        private int WordLimit => _size - 2;

        public void Run()
        {
            Split();
            if (_atoms.Count == 0)
            {
                return;
            }

            CountTokens();
            SplitLargeWords();
            var start = 0;
            while (true)
            {
                var end = FittingEnd(start);
                if (end < _atoms.Count)
                {
                    end = BestCut(start, end);
                }

                var (text, tokens) = Measure(start, ref end);
                chunks.Add(new Chunk(chunks.Count, text, tokens, section.Page, section.Heading));
                if (end == _atoms.Count)
                {
                    return;
                }

                start = OverlapStart(start, end);
            }
        }

        private void Split()
        {
            var i = 0;
            while (true)
            {
                var start = i;
                var newlines = 0;
                for (; i < _text.Length && char.IsWhiteSpace(_text[i]); i++)
                {
                    newlines += _text[i] == '\n' ? 1 : 0;
                }

                if (i == _text.Length)
                {
                    return;
                }

                var wordStart = i;
                while (i < _text.Length && !char.IsWhiteSpace(_text[i]))
                {
                    // Chinese and Japanese put no space after a sentence: its full-width end mark is the boundary.
                    if (_text[i++] is '。' or '！' or '？')
                    {
                        break;
                    }
                }

                var before = newlines >= 2 ? Boundary.Paragraph
                    : _atoms.Count > 0 && EndsSentence(start) ? Boundary.Sentence
                    : newlines == 1 ? Boundary.Line
                    : Boundary.Word;
                _atoms.Add(new Atom(start, wordStart, i, 0, before));
            }
        }

        private void CountTokens()
        {
            // Each piece counts for the word it starts in; both are in text order. A piece that spans a word boundary
            // (".\n\n" after a sentence) makes a sum off by a token, which Measure corrects. Without a pre-tokenizer
            // the pieces are the words.
            var pieces = tokenizer.PreTokenizer?.PreTokenize(_text)
                ?? _atoms.Select(atom => (Offset: atom.Start, Length: atom.End - atom.Start));
            var counts = new int[_atoms.Count];
            var word = 0;
            foreach (var (offset, length) in pieces)
            {
                while (word + 1 < _atoms.Count && _atoms[word + 1].Start <= offset)
                {
                    word++;
                }

                var tokens = counter.Count(_text.AsSpan(offset, length));
                counts[word] += tokens;
                _pieces.Add(new Piece(offset, length, tokens));
            }

            for (var i = 0; i < _atoms.Count; i++)
            {
                _atoms[i] = _atoms[i] with { Tokens = counts[i] };
            }
        }

        /// <summary>
        /// Cuts every word larger than a chunk (a hash, base64, a URL, text without spaces) into pieces that fit.
        /// </summary>
        private void SplitLargeWords()
        {
            if (_atoms.TrueForAll(atom => atom.Tokens <= WordLimit))
            {
                return;
            }

            var atoms = _atoms.ToList();
            _atoms.Clear();
            foreach (var atom in atoms)
            {
                if (atom.Tokens <= WordLimit)
                {
                    _atoms.Add(atom);
                    continue;
                }

                // The window keeps each call short: a token covers far fewer than 16 characters on average.
                for (var piece = atom.Start; piece < atom.End;)
                {
                    var window = _text.AsSpan(piece, Math.Min(atom.End - piece, WordLimit * 16));
                    var length = tokenizer.GetIndexByTokenCount(window, WordLimit, out _, out var count);
                    if (length < window.Length && length > 0 && char.IsLowSurrogate(window[length]))
                    {
                        length--;
                    }

                    length = Math.Max(length, 1);
                    if (length != window.Length || count > WordLimit)
                    {
                        count = tokenizer.CountTokens(window[..length]);
                    }

                    var first = piece == atom.Start;
                    _atoms.Add(new Atom(piece, first ? atom.WordStart : piece, piece + length, count,
                        first ? atom.Before : Boundary.InsideWord));
                    piece += length;
                }
            }
        }

        /// <summary>Whether the text before <paramref name="end"/> ends a sentence, closing quotes aside.</summary>
        private bool EndsSentence(int end)
        {
            var i = end - 1;
            while (i > 0 && _text[i] is '"' or '\'' or ')' or ']' or '”' or '’' or '»')
            {
                i--;
            }

            return _text[i] is '.' or '!' or '?' or '…' or '。' or '！' or '？';
        }

        /// <summary>The end of the longest run of atoms from <paramref name="start"/> whose tokens fit a chunk.</summary>
        private int FittingEnd(int start)
        {
            var end = start;
            for (var sum = 0; end < _atoms.Count && sum + _atoms[end].Tokens <= _size; end++)
            {
                sum += _atoms[end].Tokens;
            }

            return Math.Max(end, start + 1);
        }

        /// <summary>
        /// Where to end a chunk that cannot take all atoms up to <paramref name="end"/>: the latest strongest boundary
        /// that leaves the chunk at least half full; failing that, the latest word boundary.
        /// </summary>
        private int BestCut(int start, int end)
        {
            var latest = new int[(int)Boundary.Paragraph + 1];
            var latestWord = -1;
            var filled = 0;
            for (var cut = start + 1; cut <= end; cut++)
            {
                filled += _atoms[cut - 1].Tokens;
                var boundary = _atoms[cut].Before;
                if (boundary == Boundary.InsideWord)
                {
                    continue;
                }

                latestWord = cut;
                if (filled * 2 >= _size)
                {
                    latest[(int)boundary] = cut;
                }
            }

            for (var boundary = Boundary.Paragraph; boundary >= Boundary.Word; boundary--)
            {
                if (latest[(int)boundary] > 0)
                {
                    return latest[(int)boundary];
                }
            }

            return latestWord > 0 ? latestWord : end;
        }

        /// <summary>
        /// The chunk's text and real token count; while a rare difference from the planned sum puts it over the size,
        /// its last atom goes to the next chunk.
        /// </summary>
        private (string Text, int Tokens) Measure(int start, ref int end)
        {
            while (true)
            {
                var text = _text[_atoms[start].WordStart.._atoms[end - 1].End];
                var tokens = CountTokens(text, _atoms[start].WordStart);
                if (tokens <= _size || end - start == 1)
                {
                    return (text, tokens);
                }

                end--;
            }
        }

        /// <summary>
        /// The tokens of <paramref name="text"/>, the section from <paramref name="offset"/> on, exactly as the tokenizer
        /// counts them: the sum over its pieces. A piece the section has at the same place (all but those at the edges)
        /// has been counted already.
        /// </summary>
        private int CountTokens(string text, int offset)
        {
            if (tokenizer.PreTokenizer is not { } preTokenizer)
            {
                return tokenizer.CountTokens(text);
            }

            var known = FirstPieceFrom(offset);
            var count = 0;
            foreach (var (start, length) in preTokenizer.PreTokenize(text))
            {
                while (known < _pieces.Count && _pieces[known].Offset < offset + start)
                {
                    known++;
                }

                count += known < _pieces.Count && _pieces[known].Offset == offset + start && _pieces[known].Length == length
                    ? _pieces[known].Tokens
                    : counter.Count(text.AsSpan(start, length));
            }

            return count;
        }

        /// <summary>The index of the first piece of the section that starts at or after <paramref name="offset"/>.</summary>
        private int FirstPieceFrom(int offset)
        {
            // Pieces do not overlap, so their offsets are distinct and sorted.
            var index = _pieces.BinarySearch(new Piece(offset, 0, 0), PieceOffsets);
            return index >= 0 ? index : ~index;
        }

        /// <summary>
        /// Where the chunk after one ending at <paramref name="end"/> starts: as far back as
        /// <see cref="ChunkingOptions.Overlap"/> tokens allow, at a sentence start if that still repeats at least half
        /// of them, otherwise at a word; always after <paramref name="start"/>, and leaving room for the next atom.
        /// </summary>
        private int OverlapStart(int start, int end)
        {
            var earliestWord = end;
            var earliestSentence = -1;
            var sum = 0;
            for (var k = end - 1; k > start; k--)
            {
                sum += _atoms[k].Tokens;
                if (sum > options.Overlap || sum + _atoms[end].Tokens > _size)
                {
                    break;
                }

                if (_atoms[k].Before == Boundary.InsideWord)
                {
                    continue;
                }

                earliestWord = k;
                if (_atoms[k].Before >= Boundary.Sentence && sum * 2 >= options.Overlap)
                {
                    earliestSentence = k;
                }
            }

            return earliestSentence >= 0 ? earliestSentence : earliestWord;
        }
    }
}
