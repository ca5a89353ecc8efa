using AiPlatform.Core.Assistants.Tools;

namespace AiPlatform.UnitTests.Tools;

public class HostAllowListTests
{
    [Theory]
    [InlineData("docs.example.com", "docs.example.com")]
    [InlineData("DOCS.Example.COM", "docs.example.com")]       // case of the host
    [InlineData("docs.example.com", " Docs.EXAMPLE.com ")]     // case and spaces of the entry
    [InlineData("docs.example.com.", "docs.example.com")]      // fully qualified form
    [InlineData("a.example.com", "*.example.com")]
    [InlineData("a.b.example.com", "*.example.com")]           // any depth
    [InlineData("A.Example.Com", "*.EXAMPLE.com")]
    [InlineData("xn--bcher-kva.example", "bücher.example")]    // an international entry, compared as punycode
    [InlineData("shop.xn--bcher-kva.example", "*.bücher.example")]
    public void Allowed(string host, string pattern) => Assert.True(HostAllowList.IsAllowed(host, [pattern]));

    [Theory]
    [InlineData("example.com", "*.example.com")]               // the wildcard is for subdomains only
    [InlineData("evil-example.com", "*.example.com")]          // suffix tricks
    [InlineData("evilexample.com", "*.example.com")]
    [InlineData("example.com.evil.net", "*.example.com")]
    [InlineData("example.com.evil.net", "example.com")]
    [InlineData("docs.example.com.evil.net", "docs.example.com")]
    [InlineData("evil-docs.example.com", "docs.example.com")]  // an exact entry allows no subdomain
    [InlineData("a.docs.example.com", "docs.example.com")]
    [InlineData("docs.example.org", "docs.example.com")]
    [InlineData("docs.example.com", "")]
    [InlineData("docs.example.com", "*")]
    [InlineData("docs.example.com", "*.")]
    [InlineData("", "*.example.com")]
    public void Refused(string host, string pattern) => Assert.False(HostAllowList.IsAllowed(host, [pattern]));

    [Fact]
    public void Any_entry_of_the_list_may_match() =>
        Assert.True(HostAllowList.IsAllowed("api.example.org", ["docs.example.com", "*.example.org"]));

    [Fact]
    public void An_empty_list_allows_nothing() => Assert.False(HostAllowList.IsAllowed("docs.example.com", []));
}
