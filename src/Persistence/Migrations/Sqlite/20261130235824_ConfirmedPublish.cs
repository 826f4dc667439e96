using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SpeechEmotion.Persistence.Migrations.Sqlite
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
                type: "TEXT",
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
