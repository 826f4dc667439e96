using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SpeechEmotion.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CallResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Results made before calls: the old columns become one result (no call figures, no channel blocks).
            migrationBuilder.AddColumn<string>(
                name: "ResultJson",
                table: "jobs",
                type: "text",
                nullable: true);

            migrationBuilder.Sql("""
UPDATE jobs SET "ResultJson" = json_build_object(
    'emotion', "Emotion", 'probabilities', "ProbabilitiesJson"::json, 'modelVersion', "ModelVersion",
    'audio', json_build_object('durationSeconds', "DurationSeconds", 'sampleRate', "SampleRate", 'channels', "Channels"),
    'channels', '[]'::json)::text
WHERE "Status" = 'Succeeded' AND "ProbabilitiesJson" IS NOT NULL;
""");

            migrationBuilder.DropColumn(
                name: "ProbabilitiesJson",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Channels",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "DurationSeconds",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Emotion",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "ModelVersion",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "SampleRate",
                table: "jobs");

            migrationBuilder.AddColumn<string>(
                name: "ChannelHandling",
                table: "jobs",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "Mix");

            migrationBuilder.AddColumn<string>(
                name: "ChannelNames",
                table: "jobs",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ChannelHandling",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "ChannelNames",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "ResultJson",
                table: "jobs");

            migrationBuilder.AddColumn<string>(
                name: "ProbabilitiesJson",
                table: "jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Channels",
                table: "jobs",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "DurationSeconds",
                table: "jobs",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Emotion",
                table: "jobs",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ModelVersion",
                table: "jobs",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SampleRate",
                table: "jobs",
                type: "integer",
                nullable: true);
        }
    }
}
