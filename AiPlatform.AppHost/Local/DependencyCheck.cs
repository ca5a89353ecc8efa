using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace AiPlatform.AppHost.Local;

/// <summary>
/// Checks that each store accepts connections before any service starts: PostgreSQL by logging in to the database
/// with the configured connection string, Redis by PING, RabbitMQ by the AMQP protocol header.
/// Each failure is one line that says how to fix it.
/// </summary>
internal static class DependencyCheck
{
    private const string Fix = "run ./run.sh or eng/servers.sh to install and start it";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static async Task<IReadOnlyList<string>> FindProblemsAsync(StoreConnectionStrings stores, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(
            PostgresAsync(stores.AiPlatformDb, cancellationToken),
            RedisAsync(stores.Cache, cancellationToken),
            RabbitMqAsync(stores.Messaging, cancellationToken));
        return [.. results.OfType<string>()];
    }

    private static async Task<string?> PostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = (int)ProbeTimeout.TotalSeconds };
        var where = $"{builder.Host}:{builder.Port}";
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return null;
        }
        catch (PostgresException e)
        {
            return $"postgres (aiplatformdb) at {where} refused {builder.Username}@{builder.Database}: {e.MessageText} — run eng/servers.sh to create the role and database";
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            // Refused, unknown host or timed out (Npgsql wraps socket errors in NpgsqlException).
            return $"postgres (aiplatformdb) is not reachable at {where} — {Fix}";
        }
    }

    private static async Task<string?> RedisAsync(string connectionString, CancellationToken cancellationToken)
    {
        var endpoint = StoreConnection.ParseRedis(connectionString);
        var command = endpoint.Password is null ? "PING\r\n" : $"AUTH {endpoint.Password}\r\nPING\r\n";
        var (connected, reply) = await ProbeAsync(endpoint.Host, endpoint.Port, Encoding.ASCII.GetBytes(command),
            answer => Encoding.ASCII.GetString(answer) is var sofar && (sofar.Contains("PONG\r\n") || sofar.StartsWith('-')),
            cancellationToken);
        var text = Encoding.ASCII.GetString(reply);
        return (connected, text) switch
        {
            (false, _) => $"redis (cache) is not reachable at {endpoint.Host}:{endpoint.Port} — {Fix}",
            (_, var t) when t.Contains("+PONG") => null,
            (_, var t) => $"redis (cache) at {endpoint.Host}:{endpoint.Port} does not answer PING with PONG ({(t.Length == 0 ? "no answer" : t.Split('\r')[0])}) — check Local:ConnectionStrings:cache",
        };
    }

    private static async Task<string?> RabbitMqAsync(string connectionString, CancellationToken cancellationToken)
    {
        var endpoint = StoreConnection.ParseRabbitMq(connectionString);
        // AMQP 0-9-1 protocol header; a broker answers with a Connection.Start method frame (frame type 1).
        var (connected, reply) = await ProbeAsync(endpoint.Host, endpoint.Port, "AMQP\0\0\u0009\u0001"u8.ToArray(), _ => true, cancellationToken);
        return (connected, reply) switch
        {
            (false, _) => $"rabbitmq (messaging) is not reachable at {endpoint.Host}:{endpoint.Port} — {Fix}",
            (_, [1, ..]) => null,
            _ => $"rabbitmq (messaging) at {endpoint.Host}:{endpoint.Port} does not speak AMQP 0-9-1 — check Local:ConnectionStrings:messaging",
        };
    }

    /// <summary>
    /// Connects, sends <paramref name="request"/> and reads until <paramref name="isComplete"/> says the answer is
    /// whole, the peer stops or time runs out; returns whether it connected and what was answered.
    /// </summary>
    private static async Task<(bool Connected, byte[] Answer)> ProbeAsync(
        string host, int port, byte[] request, Func<byte[], bool> isComplete, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var answer = new List<byte>();
        var connected = false;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            connected = true;
            var stream = client.GetStream();
            await stream.WriteAsync(request, timeout.Token);
            var buffer = new byte[256];
            int read;
            while (answer.Count < 4096 && (read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.AddRange(buffer.AsSpan(0, read));
                if (isComplete([.. answer]))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Refused, reset or timed out: report what was read, if anything.
        }
        return (connected, [.. answer]);
    }
}
