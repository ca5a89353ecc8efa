using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AiPlatform.Api.Identity;

namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>Stands in for mail delivery (no SMTP here) and lets tests read the tokens that were mailed.</summary>
public sealed partial class CapturingEmailSender : IEmailSender
{
    private readonly ConcurrentQueue<(string To, string Subject, string Body)> _sent = new();

    public Task SendAsync(string to, string subject, string body, CancellationToken cancellationToken)
    {
        _sent.Enqueue((to, subject, body));
        return Task.CompletedTask;
    }

    public int CountTo(string to) => _sent.Count(m => string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase));

    public string LastTokenSentTo(string to)
    {
        var mail = _sent.Last(m => string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase));
        return Token().Match(mail.Body).Groups[1].Value;
    }

    [GeneratedRegex(@"token[^:]*: (\S+)$")]
    private static partial Regex Token();
}
