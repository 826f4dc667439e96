using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.ServiceDefaults;

/// <summary>
/// The observability both hosts (src/Api and src/Worker) share, in the style of .NET Aspire's ServiceDefaults:
/// console logs with UTC timestamps and scopes (JSON when <c>Logging:Console:FormatterName</c> is <c>json</c>),
/// OpenTelemetry traces and metrics (ASP.NET Core, HttpClient, MassTransit, Npgsql, this service's own meter),
/// Prometheus at <c>GET /metrics</c> always, and OTLP export of traces, metrics and logs when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string MetricsPath = "/metrics";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string ConsoleFormatterOptionsSection = "Logging:Console:FormatterOptions";
    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    /// <param name="serviceName">The OpenTelemetry <c>service.name</c> (OTEL_SERVICE_NAME overrides it).</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSpeechEmotionMetrics();
        ConfigureConsoleLogs(builder.Services);
        ConfigureOpenTelemetry(builder, builder.Configuration["OTEL_SERVICE_NAME"] ?? serviceName);
        return builder;
    }

    /// <summary>The metrics class; also called by the job pipeline, which records on it, so it is idempotent.</summary>
    public static IServiceCollection AddSpeechEmotionMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<SpeechEmotionMetrics>();
        return services;
    }

    /// <summary>GET /metrics (Prometheus text format), on the Api's port and on the Worker's health port; anonymous (scrapers carry no API key).</summary>
    public static IEndpointRouteBuilder MapServiceDefaults(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        return app;
    }

    private static void ConfigureConsoleLogs(IServiceCollection services)
    {
        // Without a FormatterName the console logger replaces the formatter's options with its own obsolete
        // settings (no timestamps, no scopes); naming the formatter keeps the options below. "json" in
        // configuration still wins: this runs after Logging:Console is bound.
        services.Configure<ConsoleLoggerOptions>(options => options.FormatterName ??= ConsoleFormatterNames.Simple);
        // Defaults first, then Logging:Console:FormatterOptions again, so configuration still has the last word.
        services.AddOptions<SimpleConsoleFormatterOptions>()
            .Configure(options => UseTimestampsAndScopes(options))
            .BindConfiguration(ConsoleFormatterOptionsSection);
        services.AddOptions<JsonConsoleFormatterOptions>()
            .Configure(options =>
            {
                UseTimestampsAndScopes(options);
                options.TimestampFormat = TimestampFormat.TrimEnd();
            })
            .BindConfiguration(ConsoleFormatterOptionsSection);
    }

    /// <summary>Scopes carry the job id (<see cref="JobTelemetry"/>), so every line about a job names it.</summary>
    private static void UseTimestampsAndScopes(ConsoleFormatterOptions options)
    {
        options.TimestampFormat = TimestampFormat;
        options.UseUtcTimestamp = true;
        options.IncludeScopes = true;
    }

    private static void ConfigureOpenTelemetry(IHostApplicationBuilder builder, string serviceName)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("System.Runtime")                        // GC, heap, thread pool, CPU (.NET 9+ built-in)
                .AddMeter(InstrumentationOptions.MeterName)        // MassTransit: receive/consume counts, durations, faults
                .AddNpgsqlInstrumentation()
                .AddMeter(SpeechEmotionMetrics.MeterName)
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = IsTraced)
                .AddHttpClientInstrumentation()
                .AddSource(DiagnosticHeaders.DefaultListenerName)  // MassTransit: publish → receive → consume
                .AddNpgsql());

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            telemetry.UseOtlpExporter();   // reads the other OTEL_EXPORTER_OTLP_* settings from configuration
        }
    }

    /// <summary>Scrapes and health probes arrive every few seconds and say nothing about jobs.</summary>
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments(MetricsPath) && !context.Request.Path.StartsWithSegments("/health");
}
