using System.Net;
using AiPlatform.Core.Assistants.Tools;

namespace AiPlatform.UnitTests.Tools;

public class DestinationAddressPolicyTests
{
    [Theory]
    [InlineData("10.0.0.1")]            // private
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]          // private 172.16/12, both ends
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.10")]        // private
    [InlineData("127.0.0.1")]           // loopback
    [InlineData("127.8.9.10")]
    [InlineData("169.254.169.254")]     // link-local: cloud metadata
    [InlineData("100.64.0.1")]          // CGNAT, both ends
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]             // unspecified
    [InlineData("224.0.0.251")]         // multicast
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]     // broadcast
    [InlineData("192.0.2.5")]           // documentation
    [InlineData("198.18.0.1")]          // benchmarking
    [InlineData("::")]                  // unspecified
    [InlineData("::1")]                 // loopback
    [InlineData("fe80::1")]             // link-local
    [InlineData("fe80::1%2")]
    [InlineData("fc00::1")]             // unique-local
    [InlineData("fd12:3456:789a::1")]
    [InlineData("ff02::1")]             // multicast
    [InlineData("::ffff:127.0.0.1")]    // IPv4-mapped internal addresses
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::127.0.0.1")]         // IPv4-compatible (deprecated)
    [InlineData("64:ff9b::7f00:1")]     // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a00:1")]      // NAT64 of 10.0.0.1
    [InlineData("2002:7f00:1::1")]      // 6to4 (of 127.0.0.1)
    [InlineData("2001::1")]             // Teredo
    [InlineData("2001:db8::1")]         // documentation
    public void Internal_and_special_addresses_are_refused(string address) =>
        Assert.False(DestinationAddressPolicy.IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.15.255.255")]      // just outside 172.16/12
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]      // just outside 100.64/10
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")]      // IPv4-mapped public address
    [InlineData("64:ff9b::808:808")]    // NAT64 of 8.8.8.8
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(DestinationAddressPolicy.IsAllowed(IPAddress.Parse(address)));
}
