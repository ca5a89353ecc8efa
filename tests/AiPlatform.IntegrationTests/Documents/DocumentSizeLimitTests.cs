using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace AiPlatform.IntegrationTests.Documents;

/// <summary>The API with tiny upload limits: 1000 bytes for documents, 2000 for data files.</summary>
public sealed class SmallUploadsApiFactory : ApiFactory
{
    public const int MaxDocumentBytes = 1000;
    public const int MaxDataBytes = 2000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Knowledge:Documents:MaxDocumentBytes", MaxDocumentBytes.ToString());
        builder.UseSetting("Knowledge:Documents:MaxDataBytes", MaxDataBytes.ToString());
    }
}

public sealed class DocumentSizeLimitTests(SmallUploadsApiFactory factory) : IClassFixture<SmallUploadsApiFactory>
{
    private static byte[] Text(int length) => DocumentFixtures.Utf8(new string('a', length - 1) + "\n");

    private static byte[] Csv(int length)
    {
        var header = "a,b\n";
        var row = "1,2\n";
        var text = header + string.Concat(Enumerable.Repeat(row, (length - header.Length) / row.Length));
        return DocumentFixtures.Utf8(text.PadRight(length - 1, ' ') + "\n");
    }

    [Fact]
    public async Task Each_kind_of_file_has_its_own_limit()
    {
        var tenant = await factory.CreateTenantAsync();
        await tenant.Client.UploadOkAsync("fits.txt", Text(SmallUploadsApiFactory.MaxDocumentBytes));
        var tooLarge = await (await tenant.Client.UploadAsync("big.txt", Text(SmallUploadsApiFactory.MaxDocumentBytes + 1)))
            .AssertErrorAsync(413, "PAYLOAD_TOO_LARGE");
        Assert.Contains("TXT", tooLarge.GetProperty("message").GetString());

        // The same size is fine for a data file, whose limit is higher.
        var csv = await tenant.Client.UploadOkAsync("data.csv", Csv(1500));
        Assert.Equal("CSV", csv.GetProperty("type").GetString());
        await (await tenant.Client.UploadAsync("data.csv", Csv(SmallUploadsApiFactory.MaxDataBytes + 100)))
            .AssertErrorAsync(413, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_body_beyond_the_endpoint_limit_is_413()
    {
        var tenant = await factory.CreateTenantAsync();
        // Larger than the largest file limit plus the multipart envelope allowance.
        await (await tenant.Client.UploadAsync("huge.txt", Text(3 * 1024 * 1024))).AssertErrorAsync(413, "PAYLOAD_TOO_LARGE");
    }
}
