using System.Text;
using AiPlatform.Core.Knowledge.Extraction;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.UnitTests.Knowledge;

public sealed class DocumentExtractionTests
{
    private static readonly DocumentExtractionService Extraction =
        new ServiceCollection().AddDocumentExtraction().BuildServiceProvider().GetRequiredService<DocumentExtractionService>();

    [Fact]
    public async Task Pdf_gives_a_section_per_page_with_its_number_and_paragraphs()
    {
        var document = await ExtractAsync(DocumentType.Pdf, Fixtures.Pdf(Fixtures.PdfPages));

        // Words come out separated although the PDF draws no space between them; wrapped lines join.
        Assert.Equal(3, document.PageCount);
        Assert.Equal(
            [
                new ExtractedSection(
                    "The quick brown fox jumps over the lazy dog.\n\nFoxes are found on every continent except Antarctica.", 1, null),
                new ExtractedSection("Page two explains how the den is dug. Dens have several entrances.", 2, null),
                new ExtractedSection("The last page lists the sources.", 3, null),
            ],
            document.Sections);
    }

    [Fact]
    public async Task Pdf_pages_without_text_are_skipped_but_counted()
    {
        var document = await ExtractAsync(DocumentType.Pdf, Fixtures.Pdf([["First page."], [], ["Third page."]]));

        Assert.Equal(3, document.PageCount);
        Assert.Equal([1, 3], document.Sections.Select(section => section.Page));
    }

    [Fact]
    public async Task Pdf_reads_from_a_stream_that_cannot_seek()
    {
        await using var stream = new NonSeekableStream(Fixtures.Pdf(Fixtures.PdfPages));

        var document = await Extraction.ExtractAsync(DocumentType.Pdf, stream);

        Assert.Equal(3, document.Sections.Count);
    }

    [Theory]
    [InlineData("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R")]
    [InlineData("%PDF-1.4\n%garbage that never becomes a document")]
    public async Task A_damaged_pdf_is_reported_in_words_a_user_understands(string content)
    {
        var error = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => ExtractAsync(DocumentType.Pdf, Fixtures.Utf8(content)));

        Assert.StartsWith("The PDF", error.Message);
    }

    [Fact]
    public async Task A_truncated_pdf_fails_with_a_readable_message_or_keeps_the_pages_it_has()
    {
        var pdf = Fixtures.Pdf(Fixtures.PdfPages);

        try
        {
            var document = await ExtractAsync(DocumentType.Pdf, pdf[..(pdf.Length / 2)]);
            Assert.All(document.Sections, section => Assert.NotNull(section.Page));
        }
        catch (DocumentExtractionException error)
        {
            Assert.StartsWith("The PDF", error.Message);
        }
    }

    [Fact]
    public async Task Docx_headings_start_sections_and_tables_read_row_by_row()
    {
        var document = await ExtractAsync(DocumentType.Docx, Fixtures.Docx());

        Assert.Null(document.PageCount);
        Assert.Equal(
            [
                new ExtractedSection("Revenue before the first heading.", null, null),
                new ExtractedSection("Revenue grew in every region.\n\nCosts stayed flat.", null, "Quarterly report"),
                new ExtractedSection(
                    "Region: North; Revenue: 120\nRegion: South; Revenue: 95\n\nFigures are in thousands.", null, "Regional figures"),
            ],
            document.Sections);
    }

    [Fact]
    public async Task A_damaged_docx_is_reported_in_words_a_user_understands()
    {
        var error = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => ExtractAsync(DocumentType.Docx, Fixtures.Docx()[..300]));

        Assert.StartsWith("The Word document could not be read", error.Message);
    }

    [Fact]
    public async Task A_docx_nested_too_deeply_is_refused_before_the_sdk_loads_it()
    {
        // Deep enough, the SDK's recursive loading would overflow the stack and end the process.
        var error = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => ExtractAsync(DocumentType.Docx, Fixtures.DocxWithNesting(300)));

        Assert.Equal("The Word document is nested too deeply to be read.", error.Message);
        Assert.NotEmpty((await ExtractAsync(DocumentType.Docx, Fixtures.DocxWithNesting(100))).Sections);
    }

    [Fact]
    public async Task Html_keeps_the_content_and_drops_scripts_styles_and_navigation()
    {
        const string html = """
            <!DOCTYPE html>
            <html><head><title>Fox facts</title><style>p { color: red }</style></head>
            <body>
              <nav><a href="/">Home</a> <a href="/about">About</a></nav>
              <p>An   introduction
                 across lines.</p>
              <h1>Habitat</h1>
              <p>Foxes live in <b>dens</b>.<br>They dig them. Grüße!</p>
              <script>var secret = "tracking";</script>
              <ul><li>Forests</li><li>Cities</li></ul>
              <h2>Diet</h2>
              <table><tr><th>Food</th><th>Share</th></tr><tr><td>Rodents</td><td>60%</td></tr></table>
              <pre>line one
                line two</pre>
            </body></html>
            """;

        var document = await ExtractAsync(DocumentType.Html, Fixtures.Utf8(html));

        Assert.Equal(
            [
                new ExtractedSection("An introduction across lines.", null, "Fox facts"),
                new ExtractedSection("Foxes live in dens.\nThey dig them. Grüße!\n\nForests\n\nCities", null, "Habitat"),
                new ExtractedSection("Food: Rodents; Share: 60%\n\nline one\n    line two", null, "Diet"),
            ],
            document.Sections);
    }

    [Fact]
    public async Task Markdown_headings_start_sections_and_markup_is_removed()
    {
        const string markdown = """
            ---
            title: Ignored front matter
            ---
            Intro with **bold** and a [link](https://example.com).

            # Install

            Run `setup` first.
            Then restart.

            - one &amp; two
            - three

            ## Check

            ```bash
            status --all
            ```

            | Name | Value |
            |------|-------|
            | port | 8080  |

            > quoted *text*
            """;

        var document = await ExtractAsync(DocumentType.Md, Fixtures.Utf8(markdown));

        Assert.Equal(
            [
                new ExtractedSection("Intro with bold and a link.", null, null),
                new ExtractedSection("Run setup first. Then restart.\n\none & two\n\nthree", null, "Install"),
                new ExtractedSection("status --all\n\nName: port; Value: 8080\n\nquoted text", null, "Check"),
            ],
            document.Sections);
    }

    [Fact]
    public async Task Csv_rows_read_as_header_value_pairs_with_rfc_4180_quoting()
    {
        const string csv = "name,address,notes\r\n"
            + "\"Lovelace, Ada\",\"12 St James's Square, London\",\"said \"\"hello\"\"\"\r\n"
            + "Turing,\"Wilmslow\nCheshire\",\r\n";

        var document = await ExtractAsync(DocumentType.Csv, Fixtures.Utf8(csv));

        var section = Assert.Single(document.Sections);
        Assert.Equal("Rows 1–2", section.Heading);
        Assert.Equal(
            "name: Lovelace, Ada; address: 12 St James's Square, London; notes: said \"hello\"\n"
            + "name: Turing; address: Wilmslow Cheshire",
            section.Text);
    }

    [Fact]
    public async Task Csv_uses_the_delimiter_of_its_header_and_sections_of_a_hundred_rows()
    {
        var csv = new StringBuilder("id;label\n");
        for (var i = 1; i <= 250; i++)
        {
            csv.Append(i).Append(";row ").Append(i).Append('\n');
        }

        var document = await ExtractAsync(DocumentType.Csv, Fixtures.Utf8(csv.ToString()));

        Assert.Equal(["Rows 1–100", "Rows 101–200", "Rows 201–250"], document.Sections.Select(section => section.Heading));
        Assert.StartsWith("id: 101; label: row 101\n", document.Sections[1].Text);
        Assert.EndsWith("id: 250; label: row 250", document.Sections[2].Text);
    }

    [Fact]
    public async Task Json_values_become_lines_with_their_paths()
    {
        const string json = """
            {
              "orders": [
                { "id": 1, "customer": { "name": "Ada", "vip": true }, "items": ["pen", "ink"], "notes": null },
                { "id": 2, "customer": { "name": "Alan" }, "total": 12.50, "tags": [] }
              ],
              "generated": "2026-01-04"
            }
            """;

        var document = await ExtractAsync(DocumentType.Json, Fixtures.Utf8(json));

        var section = Assert.Single(document.Sections);
        Assert.Equal(
            """
            orders[0].id: 1
            orders[0].customer.name: Ada
            orders[0].customer.vip: true
            orders[0].items[0]: pen
            orders[0].items[1]: ink
            orders[0].notes: null
            orders[1].id: 2
            orders[1].customer.name: Alan
            orders[1].total: 12.50
            generated: 2026-01-04
            """.ReplaceLineEndings("\n"),
            section.Text);
    }

    [Fact]
    public async Task Json_larger_than_the_read_window_streams_through()
    {
        var longValue = new string('x', 200_000);
        var json = $"{{\"big\":\"{longValue}\",\"list\":[{string.Join(",", Enumerable.Range(0, 10_000))}]}}";
        await using var stream = new NonSeekableStream(Fixtures.Utf8(json));

        var document = await Extraction.ExtractAsync(DocumentType.Json, stream);

        var lines = Assert.Single(document.Sections).Text.Split('\n');
        Assert.Equal($"big: {longValue}", lines[0]);
        Assert.Equal("list[9999]: 9999", lines[^1]);
        Assert.Equal(10_001, lines.Length);
    }

    [Fact]
    public async Task Invalid_json_is_reported_in_words_a_user_understands()
    {
        var error = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => ExtractAsync(DocumentType.Json, Fixtures.Utf8("{\"a\": [1, 2")));

        Assert.StartsWith("The JSON file could not be read", error.Message);
    }

    [Fact]
    public async Task Text_is_one_section_with_its_paragraphs_and_normalised_line_endings()
    {
        var document = await ExtractAsync(DocumentType.Txt, Fixtures.Utf8("\r\nFirst line\r\nsecond line.\r\n\r\nNext paragraph.\r\n"));

        Assert.Equal([new ExtractedSection("First line\nsecond line.\n\nNext paragraph.", null, null)], document.Sections);
    }

    [Fact]
    public async Task Text_in_utf16_is_decoded()
    {
        var content = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Grüße aus Köln")).ToArray();

        var document = await ExtractAsync(DocumentType.Txt, content);

        Assert.Equal("Grüße aus Köln", Assert.Single(document.Sections).Text);
    }

    [Theory]
    [InlineData(DocumentType.Txt, " \n\n ", "The text file contains no text to index.")]
    [InlineData(DocumentType.Md, "---\n---\n", "The Markdown file contains no text to index.")]
    [InlineData(DocumentType.Html, "<html><body><script>x()</script></body></html>", "The HTML page contains no text to index.")]
    [InlineData(DocumentType.Json, "{\"a\": [], \"b\": {}}", "The JSON file contains no text to index.")]
    public async Task A_document_without_text_is_reported(DocumentType type, string content, string message)
    {
        var error = await Assert.ThrowsAsync<DocumentExtractionException>(() => ExtractAsync(type, Fixtures.Utf8(content)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Every_type_has_an_extractor()
    {
        foreach (var type in Enum.GetValues<DocumentType>())
        {
            var content = type switch
            {
                DocumentType.Pdf => Fixtures.Pdf(Fixtures.PdfPages),
                DocumentType.Docx => Fixtures.Docx(),
                DocumentType.Json => Fixtures.Utf8("{\"a\":\"b\"}"),
                _ => Fixtures.Utf8("a,b\nc,d"),
            };

            Assert.NotEmpty((await ExtractAsync(type, content)).Sections);
        }
    }

    private static async Task<ExtractedDocument> ExtractAsync(DocumentType type, byte[] content)
    {
        using var stream = new MemoryStream(content);
        return await Extraction.ExtractAsync(type, stream);
    }
}
