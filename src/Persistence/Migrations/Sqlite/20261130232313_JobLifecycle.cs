using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SpeechEmotion.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class JobLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "FinishedPublishedAt",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            // Jobs that finished before JobFinished existed count as announced: nobody listened then, and the
            // sweep must not announce years of history at once.
            migrationBuilder.Sql("UPDATE jobs SET \"FinishedPublishedAt\" = \"CompletedAt\" WHERE \"Status\" IN ('Succeeded', 'Failed')");

            migrationBuilder.CreateIndex(
                name: "IX_jobs_FinishedPublishedAt_CompletedAt",
                table: "jobs",
                columns: new[] { "FinishedPublishedAt", "CompletedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_jobs_FinishedPublishedAt_CompletedAt",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "FinishedPublishedAt",
                table: "jobs");
        }
    }
}
