using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of <c>http_get</c>'s client: resolves the host itself
/// and connects only to an address it has just vetted, so a name that passed the allow-list cannot be made
/// to point at an internal address between a check and the connection (DNS rebinding).
/// </summary>
public static class VettedConnector
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);

        // A name with any internal address is treated as internal: only an attacker needs such a mix.
        if (addresses.FirstOrDefault(a => !DestinationAddressPolicy.IsAllowed(a)) is { } blocked)
        {
            throw new DestinationRefusedException(host, blocked);
        }

        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastError ?? new SocketException((int)SocketError.HostNotFound);
    }
}

/// <summary>Raised at connect time when the destination's address is not one <c>http_get</c> may reach.</summary>
public sealed class DestinationRefusedException(string host, IPAddress address)
    : Exception($"{host} resolves to {address}, a private, loopback, link-local or otherwise non-public address.")
{
    public string Host => host;

    public IPAddress Address => address;
}
