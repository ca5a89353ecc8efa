using System.Net;
using System.Net.Sockets;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>
/// Which IP addresses <c>http_get</c> may connect to: public unicast ones only, so a model (or whoever wrote
/// the page it reads) cannot reach the platform's own network, the host, or cloud metadata endpoints.
/// </summary>
public static class DestinationAddressPolicy
{
    private static readonly IPNetwork[] BlockedIPv4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", including the unspecified 0.0.0.0
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, where cloud metadata endpoints live
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),     // documentation
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),  // documentation
        IPNetwork.Parse("203.0.113.0/24"),   // documentation
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, including the broadcast address
    ];

    // Only global unicast is reachable; that alone rules out ::, ::1, link-local fe80::/10, unique-local
    // fc00::/7, multicast ff00::/8 and the other special ranges.
    private static readonly IPNetwork GlobalUnicastIPv6 = IPNetwork.Parse("2000::/3");

    private static readonly IPNetwork[] BlockedGlobalIPv6 =
    [
        IPNetwork.Parse("2001::/32"),        // Teredo: tunnels to arbitrary IPv4 addresses
        IPNetwork.Parse("2001:db8::/32"),    // documentation
        IPNetwork.Parse("2002::/16"),        // 6to4: embeds an arbitrary IPv4 address
    ];

    // NAT64 (RFC 6052) addresses stand for the IPv4 address in their last 32 bits; DNS64 gives them for
    // public IPv4-only hosts on IPv6-only networks, so they are judged by that address.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    public static bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsAllowedIPv4(address.MapToIPv4());
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsAllowedIPv4(address),
            AddressFamily.InterNetworkV6 when Nat64.Contains(address) => IsAllowedIPv4(new IPAddress(address.GetAddressBytes().AsSpan(12))),
            AddressFamily.InterNetworkV6 => GlobalUnicastIPv6.Contains(address) && !BlockedGlobalIPv6.Any(n => n.Contains(address)),
            _ => false,
        };
    }

    private static bool IsAllowedIPv4(IPAddress address) => !BlockedIPv4.Any(n => n.Contains(address));
}
