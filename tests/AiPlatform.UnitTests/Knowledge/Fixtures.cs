using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using PageSize = UglyToad.PdfPig.Content.PageSize;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace AiPlatform.UnitTests.Knowledge;

/// <summary>Documents built by the tests themselves, so no binary fixture is committed.</summary>
internal static class Fixtures
{
    /// <summary>Three pages of lines; an empty line is the gap between two paragraphs.</summary>
    public static readonly string[][] PdfPages =
    [
        ["The quick brown fox jumps over", "the lazy dog.", "", "Foxes are found on every continent except Antarctica."],
        ["Page two explains how the den is dug.", "Dens have several entrances."],
        ["The last page lists the sources."],
    ];

    /// <summary>
    /// A PDF with a page per entry of <paramref name="pages"/>. Every word is drawn on its own, with no space glyph
    /// between words, as many PDF producers do.
    /// </summary>
    public static byte[] Pdf(string[][] pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(PageSize.A4);
            var y = 780.0;
            foreach (var line in lines)
            {
                var x = 60.0;
                foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    x = page.AddText(word, 12, new PdfPoint(x, y), font)[^1].EndBaseLine.X + 4;
                }

                y -= line.Length == 0 ? 10 : 14;
            }
        }

        return builder.Build();
    }

    /// <summary>A Word document: a title heading, a paragraph, a sub-heading, a table and a closing paragraph.</summary>
    public static byte[] Docx()
    {
        using var stream = new MemoryStream();
        using (var word = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            main.Document = new Document(new Body(
                Paragraph("Revenue before the first heading."),
                Paragraph("Quarterly report", style: "Heading1"),
                Paragraph("Revenue grew in every region."),
                Paragraph("Costs stayed flat."),
                Paragraph("Regional figures", style: "Heading2"),
                new Table(
                    Row("Region", "Revenue"),
                    Row("North", "120"),
                    Row("South", "95")),
                Paragraph("Figures are in thousands.")));
        }

        return stream.ToArray();
    }

    /// <summary>A Word document whose one paragraph wraps its text in <paramref name="depth"/> custom XML elements.</summary>
    public static byte[] DocxWithNesting(int depth)
    {
        using var stream = new MemoryStream();
        using (var word = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            using var part = word.AddMainDocumentPart().GetStream(FileMode.Create);
            part.Write(Utf8(
                "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p>"
                + string.Concat(Enumerable.Repeat("<w:customXml w:element=\"x\">", depth))
                + "<w:r><w:t>deep</w:t></w:r>"
                + string.Concat(Enumerable.Repeat("</w:customXml>", depth))
                + "</w:p></w:body></w:document>"));
        }

        return stream.ToArray();
    }

    /// <summary>A ZIP archive that is not an Office document.</summary>
    public static byte[] Zip()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = new StreamWriter(zip.CreateEntry("notes/readme.txt").Open());
            entry.Write("Just a text file in an archive.");
        }

        return stream.ToArray();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Paragraph Paragraph(string text, string? style = null)
    {
        var paragraph = new Paragraph(new Run(new Text(text)));
        if (style is not null)
        {
            paragraph.PrependChild(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        }

        return paragraph;
    }

    private static TableRow Row(params string[] cells) =>
        new(cells.Select(cell => new TableCell(new Paragraph(new Run(new Text(cell))))));
}
