using AiPlatform.Core.Data;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AiPlatform.IntegrationTests.Api;

/// <summary>
/// The second isolation layer: raw SQL through the app's own connection skips EF's query filters,
/// and PostgreSQL's row-level security must still confine it to the request's tenant.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RowLevelSecurityTests(ApiFactory factory)
{
    private async Task<T> InScopeAsync<T>(Guid? tenantId, Func<AppDbContext, Task<T>> work)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (tenantId is { } id)
        {
            db.Tenant.SetTenant(id);
        }

        return await work(db);
    }

    [Fact]
    public async Task Raw_sql_for_tenant_a_cannot_read_tenant_b_rows()
    {
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();

        var visibleUserTenants = await InScopeAsync(a.TenantId, db =>
            db.Database.SqlQueryRaw<Guid>("SELECT tenant_id AS \"Value\" FROM users").ToListAsync());
        Assert.NotEmpty(visibleUserTenants);
        Assert.All(visibleUserTenants, t => Assert.Equal(a.TenantId, t));

        var bUsersSeenByA = await InScopeAsync(a.TenantId, db =>
            db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM users WHERE tenant_id = {b.TenantId}").SingleAsync());
        Assert.Equal(0, bUsersSeenByA);

        var bTenantSeenByA = await InScopeAsync(a.TenantId, db =>
            db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM tenants WHERE id = {b.TenantId}").SingleAsync());
        Assert.Equal(0, bTenantSeenByA);

        var bTokensSeenByA = await InScopeAsync(a.TenantId, db =>
            db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM refresh_tokens WHERE tenant_id = {b.TenantId}").SingleAsync());
        Assert.Equal(0, bTokensSeenByA);

        // The same query in B's scope does see B's rows: the policy, not the data, made the difference.
        var bUsersSeenByB = await InScopeAsync(b.TenantId, db =>
            db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM users WHERE tenant_id = {b.TenantId}").SingleAsync());
        Assert.Equal(1, bUsersSeenByB);
    }

    [Fact]
    public async Task No_tenant_set_means_no_rows_not_all_rows()
    {
        await factory.CreateTenantAsync();
        var visible = await InScopeAsync<long>(null, db =>
            db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM users").SingleAsync());
        Assert.Equal(0, visible);
    }

    [Fact]
    public async Task Tenant_a_cannot_write_rows_into_tenant_b()
    {
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => InScopeAsync(a.TenantId, db =>
            db.Database.ExecuteSqlAsync($"""
                INSERT INTO users (id, tenant_id, email, normalized_email, first_name, last_name, role, status, preferences, created_at, updated_at)
                VALUES ({Guid.NewGuid()}, {b.TenantId}, 'x@y.z', 'X@Y.Z', 'X', 'Y', 'TenantAdmin', 'Active', CAST({"{}"} AS jsonb), now(), now())
                """)));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);

        var updated = await InScopeAsync(a.TenantId, db =>
            db.Database.ExecuteSqlAsync($"UPDATE tenants SET name = 'hijacked' WHERE id = {b.TenantId}"));
        Assert.Equal(0, updated);
    }

    [Fact]
    public async Task The_app_role_is_subject_to_row_level_security()
    {
        // A superuser or BYPASSRLS role would make every policy moot.
        var role = await InScopeAsync<RoleFlags>(null, db => db.Database.SqlQueryRaw<RoleFlags>(
            "SELECT rolsuper AS super, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user").SingleAsync());
        Assert.False(role.Super);
        Assert.False(role.Bypass);
    }

    private sealed record RoleFlags(bool Super, bool Bypass);

    [Fact]
    public async Task Every_tenant_owned_table_has_forced_row_level_security()
    {
        var tenantOwnedTables = await InScopeAsync<List<string>>(null, db => Task.FromResult(db.Model.GetEntityTypes()
            .Where(e => typeof(AiPlatform.Core.Common.ITenantOwned).IsAssignableFrom(e.ClrType) && !e.IsOwned())
            .Select(e => e.GetTableName()!)
            .Append("tenants")
            .ToList()));
        var protectedTables = await InScopeAsync(null, db => db.Database.SqlQueryRaw<string>(
            "SELECT relname AS \"Value\" FROM pg_class WHERE relrowsecurity AND relforcerowsecurity " +
            "AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = relname)").ToListAsync());
        Assert.All(tenantOwnedTables, table => Assert.Contains(table, protectedTables));
    }

    [Fact]
    public async Task A_first_batch_carries_the_session_settings_on_a_connection_opened_without_them()
    {
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();

        var (setting, tenants) = await InScopeAsync(a.TenantId, async db =>
        {
            var session = db.GetService<TenantSessionInterceptor>();
            await using var batch = new NpgsqlBatch
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"SELECT current_setting('{TenantSessionInterceptor.TenantSetting}')"),
                    new NpgsqlBatchCommand("SELECT DISTINCT tenant_id FROM users"),
                },
            };
            try
            {
                await using var reader = await session.ExecuteFirstBatchAsync(db.Database, batch, default);
                await reader.ReadAsync();
                var setting = reader.GetString(0);
                await reader.NextResultAsync();
                var tenants = new List<Guid>();
                while (await reader.ReadAsync())
                {
                    tenants.Add(reader.GetGuid(0));
                }

                return (setting, tenants);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

        // The settings went with the batch (its reader starts at the batch's own first statement), and confine it.
        Assert.Equal(a.TenantId.ToString(), setting);
        Assert.Equal([a.TenantId], tenants);
        Assert.DoesNotContain(b.TenantId, tenants);
    }

    [Fact]
    public async Task A_failed_first_batch_closes_the_connection_it_opened_rather_than_leave_it_without_its_settings()
    {
        var a = await factory.CreateTenantAsync();
        var (state, usersAfter) = await InScopeAsync(a.TenantId, async db =>
        {
            await using (var batch = new NpgsqlBatch { BatchCommands = { new NpgsqlBatchCommand("SELECT 1 / 0") } })
            {
                await Assert.ThrowsAsync<PostgresException>(() => db.GetService<TenantSessionInterceptor>().ExecuteFirstBatchAsync(db.Database, batch, default));
            }

            var state = db.Database.GetDbConnection().State;
            // The context opens it again, settings and all.
            return (state, await db.Users.CountAsync());
        });
        Assert.Equal(System.Data.ConnectionState.Closed, state);
        Assert.Equal(1, usersAfter);
    }

    [Fact]
    public async Task A_first_batch_on_an_open_connection_leaves_it_open_for_its_opener()
    {
        var a = await factory.CreateTenantAsync();
        var stillOpen = await InScopeAsync(a.TenantId, async db =>
        {
            await db.Database.OpenConnectionAsync();
            await using (var batch = new NpgsqlBatch { BatchCommands = { new NpgsqlBatchCommand("SELECT count(*) FROM users") } })
            await using (var reader = await db.GetService<TenantSessionInterceptor>().ExecuteFirstBatchAsync(db.Database, batch, default))
            {
                await reader.ReadAsync();
                Assert.Equal(1, reader.GetInt64(0));
            }

            await db.Database.CloseConnectionAsync();
            var open = db.Database.GetDbConnection().State == System.Data.ConnectionState.Open;
            await db.Database.CloseConnectionAsync();
            return open;
        });
        Assert.True(stillOpen);
    }
}
