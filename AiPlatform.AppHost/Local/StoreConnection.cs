using Npgsql;

namespace AiPlatform.AppHost.Local;

/// <summary>Where a store is, read from its connection string (in the shape Aspire gives it).</summary>
internal sealed record StoreEndpoint(string Host, int Port, string? UserName = null, string? Password = null, string? Database = null);

internal static class StoreConnection
{
    /// <summary><c>Host=…;Port=…;Username=…;Password=…;Database=…</c></summary>
    public static StoreEndpoint ParsePostgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new(builder.Host ?? "localhost", builder.Port, builder.Username, builder.Password, builder.Database);
    }

    /// <summary><c>host:port[,password=…][,option=…]</c></summary>
    public static StoreEndpoint ParseRedis(string connectionString)
    {
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var separator = parts[0].LastIndexOf(':');
        var (host, port) = separator < 0 ? (parts[0], 6379) : (parts[0][..separator], int.Parse(parts[0][(separator + 1)..]));
        var password = parts.Skip(1)
            .Select(option => option.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Trim().Equals("password", StringComparison.OrdinalIgnoreCase))
            .Select(pair => pair[1])
            .FirstOrDefault();
        return new(host, port, Password: password);
    }

    /// <summary><c>amqp://user:password@host:port</c></summary>
    public static StoreEndpoint ParseRabbitMq(string connectionString)
    {
        var uri = new Uri(connectionString);
        var credentials = uri.UserInfo.Split(':', 2);
        return new(uri.Host, uri.IsDefaultPort ? 5672 : uri.Port,
            Uri.UnescapeDataString(credentials[0]), credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : null);
    }

    /// <summary>
    /// The connection properties Aspire 13.1 injects next to <c>ConnectionStrings__{name}</c> for a
    /// <c>WithReference(store)</c>, as <c>{NAME}_{PROPERTY}</c> (PostgresDatabaseResource, RedisResource,
    /// RabbitMQServerResource.GetConnectionProperties).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> AspireProperties(string name, string connectionString)
    {
        var prefix = name.ToUpperInvariant() + "_";
        IEnumerable<(string Key, string? Value)> properties = name switch
        {
            "aiplatformdb" => Postgres(ParsePostgres(connectionString)),
            "cache" => Redis(ParseRedis(connectionString)),
            "messaging" => RabbitMq(ParseRabbitMq(connectionString)),
            _ => [],
        };
        return properties
            .Where(p => p.Value is not null)
            .Select(p => KeyValuePair.Create(prefix + p.Key, p.Value!));

        static IEnumerable<(string, string?)> Postgres(StoreEndpoint e) =>
        [
            ("HOST", e.Host), ("PORT", $"{e.Port}"), ("USERNAME", e.UserName), ("PASSWORD", e.Password),
            ("URI", $"postgresql://{Escape(e.UserName)}:{Escape(e.Password)}@{e.Host}:{e.Port}/{Escape(e.Database)}"),
            ("JDBCCONNECTIONSTRING", $"jdbc:postgresql://{e.Host}:{e.Port}/{Escape(e.Database)}"),
            ("DATABASENAME", e.Database),
        ];

        static IEnumerable<(string, string?)> Redis(StoreEndpoint e) =>
        [
            ("HOST", e.Host), ("PORT", $"{e.Port}"), ("PASSWORD", e.Password),
            ("URI", e.Password is null ? $"redis://{e.Host}:{e.Port}" : $"redis://:{Escape(e.Password)}@{e.Host}:{e.Port}"),
        ];

        static IEnumerable<(string, string?)> RabbitMq(StoreEndpoint e) =>
        [
            ("HOST", e.Host), ("PORT", $"{e.Port}"), ("USERNAME", e.UserName), ("PASSWORD", e.Password),
            ("URI", $"amqp://{Escape(e.UserName)}:{Escape(e.Password)}@{e.Host}:{e.Port}"),
        ];

        static string Escape(string? value) => Uri.EscapeDataString(value ?? "");
    }
}
