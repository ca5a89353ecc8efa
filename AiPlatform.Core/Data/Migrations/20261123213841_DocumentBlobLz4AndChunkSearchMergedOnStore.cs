using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiPlatform.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class DocumentBlobLz4AndChunkSearchMergedOnStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_document_chunks_search_vector",
                table: "document_chunks");

            migrationBuilder.AlterColumn<byte[]>(
                name: "content",
                table: "document_blobs",
                type: "bytea",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "bytea")
                .Annotation("Npgsql:Compression:", "lz4");

            migrationBuilder.CreateIndex(
                name: "ix_document_chunks_search_vector",
                table: "document_chunks",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "GIN")
                .Annotation("Npgsql:StorageParameter:gin_pending_list_limit", 4096);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_document_chunks_search_vector",
                table: "document_chunks");

            migrationBuilder.AlterColumn<byte[]>(
                name: "content",
                table: "document_blobs",
                type: "bytea",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "bytea")
                .OldAnnotation("Npgsql:Compression:", "lz4");

            migrationBuilder.CreateIndex(
                name: "ix_document_chunks_search_vector",
                table: "document_chunks",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "GIN")
                .Annotation("Npgsql:StorageParameter:gin_pending_list_limit", 256);
        }
    }
}
