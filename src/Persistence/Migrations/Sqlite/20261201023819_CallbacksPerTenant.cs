using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SpeechEmotion.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CallbacksPerTenant : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // One callbacks row per tenant. The deployment-wide row of earlier versions (id ...0ca11b) was made for the
            // default tenant: it stays that tenant's callbacks row, so deliveries that reference it keep their secret.
            migrationBuilder.CreateIndex(
                name: "IX_webhook_subscriptions_callbacks_per_tenant",
                table: "webhook_subscriptions",
                column: "TenantId",
                unique: true,
                filter: "\"Kind\" = 'JobCallbacks'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_webhook_subscriptions_callbacks_per_tenant",
                table: "webhook_subscriptions");
        }
    }
}
