using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SpeechEmotion.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConfirmedPublish : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "AnalysisPublishedAt",
                table: "jobs",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AnalysisPublishedAt",
                table: "jobs");
        }
    }
}
