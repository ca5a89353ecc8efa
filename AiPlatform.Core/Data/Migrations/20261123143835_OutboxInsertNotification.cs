using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiPlatform.Core.Data.Migrations
{
    /// <summary>
    /// Every statement that stages outbox events notifies the relay (on commit, once per transaction), so it publishes
    /// them at once instead of at its next poll.
    /// </summary>
    public partial class OutboxInsertNotification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION notify_outbox_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('outbox_messages_inserted', '');
                    RETURN NULL;
                END $$;

                CREATE TRIGGER outbox_messages_inserted AFTER INSERT ON outbox_messages
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox_messages_inserted();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER outbox_messages_inserted ON outbox_messages;
                DROP FUNCTION notify_outbox_messages_inserted();
                """);
        }
    }
}
