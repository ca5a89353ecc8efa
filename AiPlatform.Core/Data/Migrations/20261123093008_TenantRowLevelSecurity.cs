using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiPlatform.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class TenantRowLevelSecurity : Migration
    {
        private static readonly string[] TenantOwnedTables = ["users", "refresh_tokens", "user_tokens"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnableTenantIsolation("tenants", tenantColumn: "id");
            foreach (var table in TenantOwnedTables)
            {
                migrationBuilder.EnableTenantIsolation(table);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DisableTenantIsolation("tenants");
            foreach (var table in TenantOwnedTables)
            {
                migrationBuilder.DisableTenantIsolation(table);
            }
        }
    }
}
