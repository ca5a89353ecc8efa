using System.Data.Common;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AiPlatform.Core.Data;

/// <summary>
/// Copies the unit of work's tenant into the PostgreSQL session every time EF opens a connection,
/// so row-level security policies see it. Setting it on every open (not once per physical
/// connection) means a pooled connection never carries another request's tenant; an unset
/// tenant matches no rows.
/// </summary>
public sealed class TenantSessionInterceptor(TenantContext tenant) : DbConnectionInterceptor
{
    public const string TenantSetting = "app.tenant_id";
    public const string BypassSetting = "app.bypass_rls";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = CreateCommand(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = CreateCommand(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private DbCommand CreateCommand(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT set_config('{TenantSetting}', @tenant, false), set_config('{BypassSetting}', @bypass, false)";
        AddParameter(command, "tenant", tenant.TenantId?.ToString() ?? string.Empty);
        AddParameter(command, "bypass", tenant.IsSystem ? "on" : "off");
        return command;
    }

    private static void AddParameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
