using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SpeechEmotion.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BatchIntakeInterrupted : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IntakeInterrupted",
                table: "batches",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastMemberAddedAt",
                table: "batches",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // A batch made before this column got no member after its creation as far as anyone knows: an unsealed one
            // among them (its intake died before this version) is sealed by the sweep once BatchIntakeAbandonedAfter passed.
            migrationBuilder.Sql("UPDATE batches SET \"LastMemberAddedAt\" = \"CreatedAt\";");

            migrationBuilder.CreateIndex(
                name: "IX_batches_Sealed_LastMemberAddedAt",
                table: "batches",
                columns: new[] { "Sealed", "LastMemberAddedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_batches_Sealed_LastMemberAddedAt",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "IntakeInterrupted",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "LastMemberAddedAt",
                table: "batches");
        }
    }
}
