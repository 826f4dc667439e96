using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SpeechEmotion.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RecordingsAndResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "recording_audio",
                columns: table => new
                {
                    RecordingId = table.Column<Guid>(type: "uuid", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_recording_audio", x => x.RecordingId);
                });

            // The audio bytes (distributed mode) move to their own table; a recording's id is its first job's id for rows carried over.
            migrationBuilder.Sql("""
                INSERT INTO recording_audio ("RecordingId", "Content", "CreatedAt") SELECT "JobId", "Content", "CreatedAt" FROM recordings
                """);

            migrationBuilder.DropColumn(
                name: "Content",
                table: "recordings");

            migrationBuilder.RenameColumn(
                name: "JobId",
                table: "recordings",
                newName: "Id");

            migrationBuilder.AddColumn<DateTime>(
                name: "AudioDeletedAt",
                table: "recordings",
                type: "timestamp with time zone",
                nullable: true);

            // Old rows without a job were orphans: their audio (now in recording_audio) is left to the orphan sweep.
            migrationBuilder.Sql("""
                DELETE FROM recordings WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j."Id" = recordings."Id")
                """);

            // Every job's facts become its recording (embedded mode kept them on the job row only; the audio file is already named by the job id).
            migrationBuilder.Sql("""
                INSERT INTO recordings ("Id", "FileName", "ContentType", "SizeBytes", "Sha256", "CreatedAt")
                SELECT j."Id", j."FileName", j."ContentType", j."SizeBytes", j."Sha256", j."CreatedAt" FROM jobs j
                WHERE NOT EXISTS (SELECT 1 FROM recordings r WHERE r."Id" = j."Id")
                """);

            migrationBuilder.AddColumn<Guid>(
                name: "RecordingId",
                table: "jobs",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            // Each job carried over points at the recording made from it.
            migrationBuilder.Sql("""
                UPDATE jobs SET "RecordingId" = "Id"
                """);

            migrationBuilder.CreateTable(
                name: "job_results",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    ModelVersion = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ResultJson = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_results", x => x.Id);
                    table.ForeignKey(
                        name: "FK_job_results_jobs_JobId",
                        column: x => x.JobId,
                        principalTable: "jobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Each stored result becomes the job's first analysis.
            migrationBuilder.Sql("""
                INSERT INTO job_results ("JobId", "ModelVersion", "ResultJson", "CreatedAt")
                SELECT "Id", COALESCE("ResultJson"::jsonb ->> 'modelVersion', 'unknown'), "ResultJson", COALESCE("CompletedAt", "CreatedAt") FROM jobs WHERE "ResultJson" IS NOT NULL
                """);

            migrationBuilder.DropColumn(
                name: "ContentType",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "FileName",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "ResultJson",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Sha256",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "SizeBytes",
                table: "jobs");

            migrationBuilder.CreateIndex(
                name: "IX_recordings_AudioDeletedAt_CreatedAt",
                table: "recordings",
                columns: new[] { "AudioDeletedAt", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_RecordingId",
                table: "jobs",
                column: "RecordingId");

            migrationBuilder.CreateIndex(
                name: "IX_job_results_JobId_CreatedAt",
                table: "job_results",
                columns: new[] { "JobId", "CreatedAt" });

            migrationBuilder.AddForeignKey(
                name: "FK_jobs_recordings_RecordingId",
                table: "jobs",
                column: "RecordingId",
                principalTable: "recordings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_jobs_recordings_RecordingId",
                table: "jobs");

            migrationBuilder.DropTable(
                name: "job_results");

            migrationBuilder.DropTable(
                name: "recording_audio");

            migrationBuilder.DropIndex(
                name: "IX_recordings_AudioDeletedAt_CreatedAt",
                table: "recordings");

            migrationBuilder.DropIndex(
                name: "IX_jobs_RecordingId",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "AudioDeletedAt",
                table: "recordings");

            migrationBuilder.DropColumn(
                name: "RecordingId",
                table: "jobs");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "recordings",
                newName: "JobId");

            migrationBuilder.AddColumn<byte[]>(
                name: "Content",
                table: "recordings",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<string>(
                name: "ContentType",
                table: "jobs",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "FileName",
                table: "jobs",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ResultJson",
                table: "jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Sha256",
                table: "jobs",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "SizeBytes",
                table: "jobs",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }
    }
}
