using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiPlatform.Core.Data.Migrations
{
    /// <summary>Tenant settings gained Tools (jsonb): give rows written before it the default, an empty allow-list.</summary>
    public partial class TenantToolSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE tenants SET settings = jsonb_set(settings, '{Tools}', '{"HttpGetAllowedHosts": []}'::jsonb)
                WHERE settings -> 'Tools' IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE tenants SET settings = settings - 'Tools';");
        }
    }
}
