using Microsoft.EntityFrameworkCore.Migrations;

namespace AiPlatform.Core.Data;

/// <summary>
/// Row-level security for tenant-owned tables, used by migrations. FORCE makes the policy apply to
/// the table owner too (the app connects as the role that owns the schema); a missing tenant
/// setting matches no rows, never all rows.
/// </summary>
public static class RowLevelSecurity
{
    public const string PolicyName = "tenant_isolation";

    public static void EnableTenantIsolation(this MigrationBuilder migrationBuilder, string table, string tenantColumn = "tenant_id")
    {
        var predicate =
            $"current_setting('{TenantSessionInterceptor.BypassSetting}', true) = 'on' " +
            $"OR {tenantColumn} = NULLIF(current_setting('{TenantSessionInterceptor.TenantSetting}', true), '')::uuid";
        migrationBuilder.Sql($"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"CREATE POLICY {PolicyName} ON {table} USING ({predicate}) WITH CHECK ({predicate});");
    }

    public static void DisableTenantIsolation(this MigrationBuilder migrationBuilder, string table)
    {
        migrationBuilder.Sql($"DROP POLICY IF EXISTS {PolicyName} ON {table};");
        migrationBuilder.Sql($"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;");
    }
}
