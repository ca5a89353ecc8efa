using System.Data;
using System.Data.Common;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace AiPlatform.Core.Data;

/// <summary>
/// Copies the unit of work's tenant into the PostgreSQL session every time EF opens a connection,
/// so row-level security policies see it. Setting it on every open (not once per physical
/// connection) means a pooled connection never carries another request's tenant; an unset
/// tenant matches no rows. Scoped, one per context (see <see cref="ExecuteFirstBatchAsync"/>).
/// </summary>
public sealed class TenantSessionInterceptor(TenantContext tenant) : DbConnectionInterceptor
{
    public const string TenantSetting = "app.tenant_id";
    public const string BypassSetting = "app.bypass_rls";

    private const string SettingsSql = $"SELECT set_config('{TenantSetting}', $1, false), set_config('{BypassSetting}', $2, false)";

    private bool _sentWithFirstBatch;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!_sentWithFirstBatch)
        {
            using var command = CreateCommand(connection);
            try
            {
                command.ExecuteNonQuery();
            }
            catch
            {
                connection.Close();
                throw;
            }
        }
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!_sentWithFirstBatch)
        {
            await using var command = CreateCommand(connection);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch
            {
                // A connection left open without its settings (a cancelled open, say) would answer the context's next
                // queries as if the tenant had no rows at all. Closed, it is opened again, settings and all.
                await connection.CloseAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Opens the context's connection as OpenConnectionAsync does (pair it with CloseConnectionAsync) and runs
    /// <paramref name="batch"/> on it. If the connection was closed, the session settings go along as the batch's first
    /// statement instead of in a round trip of their own (a chat turn's reads before its model call are one round trip);
    /// if it was open they are in place already. The reader is on the batch's own first result.
    /// </summary>
    public async Task<NpgsqlDataReader> ExecuteFirstBatchAsync(DatabaseFacade database, NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)database.GetDbConnection();
        var opening = connection.State != ConnectionState.Open;
        _sentWithFirstBatch = opening;
        try
        {
            await database.OpenConnectionAsync(cancellationToken);
        }
        finally
        {
            _sentWithFirstBatch = false;
        }

        batch.Connection = connection;
        if (!opening)
        {
            return await batch.ExecuteReaderAsync(cancellationToken);
        }

        var (tenantId, bypass) = Values();
        batch.BatchCommands.Insert(0, new NpgsqlBatchCommand(SettingsSql) { Parameters = { new() { Value = tenantId }, new() { Value = bypass } } });
        try
        {
            var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken); // Past the settings' own row.
            return reader;
        }
        catch
        {
            await connection.CloseAsync(); // As in ConnectionOpenedAsync: never left open without its settings.
            throw;
        }
    }

    private DbCommand CreateCommand(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = SettingsSql;
        var (tenantId, bypass) = Values();
        AddParameter(command, tenantId);
        AddParameter(command, bypass);
        return command;
    }

    private (string TenantId, string Bypass) Values() => (tenant.TenantId?.ToString() ?? string.Empty, tenant.IsSystem ? "on" : "off");

    private static void AddParameter(DbCommand command, string value)
    {
        var parameter = command.CreateParameter();
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
