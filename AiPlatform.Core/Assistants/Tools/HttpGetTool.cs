using System.Buffers;
using System.ComponentModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>
/// Lets the model read a URL: HTTPS only, hosts on the tenant's allow-list only
/// (<see cref="Tenancy.ToolSettings.HttpGetAllowedHosts"/>), public addresses only (checked at connect time by
/// <see cref="VettedConnector"/>), within <see cref="HttpGetToolOptions"/>' time and size limits, text only.
/// Every refusal or failure the model can do something about comes back as text, so the turn goes on.
/// </summary>
public sealed class HttpGetTool(
    IHttpClientFactory httpClientFactory, ITenantSettingsSource tenantSettings, IOptions<HttpGetToolOptions> options) : IAssistantTool
{
    public const string ToolName = "http_get";
    public const string FunctionName = "fetch";
    public const string HttpClientName = "tools-http-get";

    private const string SettingHint =
        "An administrator can allow hosts in the workspace settings under tools.httpGetAllowedHosts " +
        "(exact names such as docs.example.com, or *.example.com for its subdomains).";

    private static readonly string[] TextMediaTypes =
    [
        "application/json", "application/xml", "application/javascript", "application/ecmascript",
        "application/x-javascript", "application/yaml", "application/x-yaml", "application/x-ndjson",
        "application/toml", "application/sql", "application/graphql",
    ];

    public string Name => ToolName;

    public string Description => "Fetches a web page or document over HTTPS from the hosts this workspace allows.";

    public KernelPlugin CreatePlugin(ToolContext context) =>
        KernelPluginFactory.CreateFromFunctions(Name, Description,
        [
            KernelFunctionFactory.CreateFromMethod(
                ([Description("The absolute https:// URL to fetch.")] string url, CancellationToken cancellationToken) =>
                    FetchAsync(context.TenantId, url, cancellationToken),
                FunctionName,
                "Fetches an https:// URL with GET and returns the status code, the content type and the body as text " +
                "(text, HTML, JSON, XML and the like only; long bodies are cut off). Only hosts the workspace allows can be fetched."),
        ]);

    private async Task<string> FetchAsync(Guid tenantId, string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return Refused($"'{url}' is not an absolute URL.");
        }

        var settings = await tenantSettings.GetAsync(tenantId, cancellationToken);
        var allowedHosts = settings.Tools.HttpGetAllowedHosts;
        if (allowedHosts.Count == 0)
        {
            return Refused($"this workspace allows no hosts yet, so nothing can be fetched. {SettingHint}");
        }

        var limits = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limits.Timeout);
        try
        {
            return await FetchAllowedAsync(uri, allowedHosts, limits, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"{uri} gave no complete answer within {limits.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException e) when (FindRefusal(e) is { } refusal)
        {
            return Refused(refusal.Message);
        }
        catch (HttpRequestException e)
        {
            return Failed($"could not fetch {uri}: {e.Message}");
        }
        catch (IOException e)
        {
            return Failed($"the connection broke while reading the answer to {uri}: {e.Message}");
        }
    }

    private async Task<string> FetchAllowedAsync(Uri uri, List<string> allowedHosts, HttpGetToolOptions limits, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        for (var redirects = 0; ; redirects++)
        {
            var via = redirects == 0 ? "" : $"the server redirected to {uri}, but ";
            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                return Refused($"{via}only https:// URLs can be fetched.");
            }

            if (!HostAllowList.IsAllowed(uri.IdnHost, allowedHosts))
            {
                return Refused($"{via}{uri.IdnHost} is not on this workspace's allow-list ({string.Join(", ", allowedHosts)}). {SettingHint}");
            }

            // HTTP/3 runs over QUIC, which bypasses the vetting ConnectCallback: never let a request upgrade to it.
            using var request = new HttpRequestMessage(HttpMethod.Get, uri)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            // Headers only: the body is then read as a stream, never more of it than the limit.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (redirects == limits.MaxRedirects)
                {
                    return Refused($"more than {limits.MaxRedirects} redirects; the last one went to {uri}, which redirects again.");
                }

                uri = new Uri(uri, location);
                continue;
            }

            return await DescribeAsync(uri, response, limits.MaxResponseBytes, cancellationToken);
        }
    }

    private static async Task<string> DescribeAsync(Uri uri, HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var contentType = response.Content.Headers.ContentType;
        var head = new StringBuilder()
            .Append("URL: ").AppendLine(uri.ToString())
            .Append("Status: ").Append((int)response.StatusCode).Append(' ').AppendLine(response.ReasonPhrase)
            .Append("Content-Type: ").AppendLine(contentType?.ToString() ?? "(none)");
        if (!IsText(contentType?.MediaType))
        {
            return head.AppendLine().Append("The body is not returned: only text content (text/*, JSON, XML and the like) is.").ToString();
        }

        var (text, truncated) = await ReadTextAsync(response.Content, contentType!, maxBytes, cancellationToken);
        if (truncated)
        {
            head.Append("Note: the body is longer than ").Append(maxBytes).AppendLine(" bytes; only its beginning is shown.");
        }

        return head.AppendLine().Append(text).ToString();
    }

    private static async Task<(string Text, bool Truncated)> ReadTextAsync(
        HttpContent content, MediaTypeHeaderValue contentType, int maxBytes, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        // One byte past the limit tells a body of exactly the limit from a longer one.
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= maxBytes && (read = await body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }

            return (EncodingOf(contentType).GetString(buffer, 0, Math.Min(length, maxBytes)), length > maxBytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Encoding EncodingOf(MediaTypeHeaderValue contentType)
    {
        if (contentType.CharSet is { } charset)
        {
            try
            {
                return Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: UTF-8 still reads the ASCII part of most pages.
            }
        }

        return Encoding.UTF8;
    }

    private static bool IsText(string? mediaType) =>
        mediaType is not null
        && (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
            || TextMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase));

    private static bool IsRedirect(HttpStatusCode status) => status is
        HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static DestinationRefusedException? FindRefusal(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is DestinationRefusedException refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    private static string Refused(string reason) => $"{ToolName} refused: {reason}";

    private static string Failed(string reason) => $"{ToolName} failed: {reason}";
}
