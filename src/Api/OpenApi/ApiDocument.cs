using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Security;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Api.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>): every endpoint with its form fields, responses and problem codes,
/// the key schemes, and tag descriptions. It must lint clean with Redocly's recommended rules and match the committed
/// snapshot <c>docs/openapi.json</c> (tests/Service.Tests/OpenApi; regenerate as the README says).
/// <list type="bullet">
/// <item>A new tag needs a line in <see cref="TagDescriptions"/>.</item>
/// <item>An endpoint names its own problem answers with <see cref="ProblemCodesExtensions.ProducesProblemCodes"/>; the
/// answers every endpoint shares (401 keys, 429 rate limit, 503 outage) are added here.</item>
/// </list>
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "bearerAuth";
    public const string ApiKeyScheme = "apiKeyHeader";

    public static readonly IReadOnlyDictionary<string, string> TagDescriptions = new Dictionary<string, string>
    {
        ["Jobs"] = "Upload a recording as a job, then poll it for its status, result or error.",
        ["Emotion"] = "Upload a short clip and wait for its emotion in the same request.",
        ["Batches"] = "Many jobs at once: an archive's or a server folder's recordings, or existing recordings reprocessed.",
        ["Webhooks"] = "Subscriptions that receive signed job and batch events (Standard Webhooks), and their deliveries.",
        ["Live"] = "A WebSocket that answers each utterance's emotion while the call is still going.",
    };

    private static readonly ProblemCodesMetadata[] SharedProblems =
    [
        new(StatusCodes.Status401Unauthorized, [ErrorCodes.MissingApiKey, ErrorCodes.InvalidApiKey, ErrorCodes.RevokedApiKey]),
        new(StatusCodes.Status429TooManyRequests, [ErrorCodes.RateLimited]),
        new(StatusCodes.Status503ServiceUnavailable, [ErrorCodes.ServiceUnavailable]),
    ];

    public static IServiceCollection AddApiDocument(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            DescribeService(document);
            DeclareKeySchemes(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            DescribeProblems(operation, context);
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(ProblemDetails) || context.JsonTypeInfo.Type == typeof(HttpValidationProblemDetails))
            {
                DescribeProblemExtensions(schema);
            }
            return Task.CompletedTask;
        });
    });

    private static void DescribeService(OpenApiDocument document)
    {
        document.Info.Title = "SpeechEmotion API";
        document.Info.Description =
            "Hears speech (a short clip or an hour-long stereo phone call) and says the speaker's emotion: neutral, happy, "
            + "sad, angry, fearful, surprised or disgust, with the probability of each. Every error is RFC 7807 problem "
            + "details with a stable `code`. With `Auth:Mode=ApiKeys` every request needs an API key of a tenant "
            + "(`Authorization: Bearer <key>` or `X-Api-Key: <key>`); in `Open` mode (the embedded default) none is needed.";
        // Relative: the host that served this document. (The default, made from the request, ends in '/' and names
        // whatever host the reader used, e.g. localhost, which the linters flag, and which made the document differ by host.)
        document.Servers = [new OpenApiServer { Url = "/", Description = "This service: the host that served this document." }];
        document.Tags = new HashSet<OpenApiTag>(
            (document.Tags ?? new HashSet<OpenApiTag>()).Select(tag => new OpenApiTag
            {
                Name = tag.Name,
                Description = tag.Name is not null && TagDescriptions.TryGetValue(tag.Name, out var description) ? description : tag.Description,
            }));
    }

    private static void DeclareKeySchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (`sek_...`, made by `keys create --tenant NAME`) as a bearer token.",
            },
            [ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.ApiKeyHeader,
                Description = "The same API key in the X-Api-Key header.",
            },
        };
        // Either scheme will do: two alternatives, each a requirement of its own.
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
        ];
    }

    private static void DescribeProblems(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        operation.Responses ??= new OpenApiResponses();
        var declared = context.Description.ActionDescriptor.EndpointMetadata.OfType<ProblemCodesMetadata>();
        foreach (var problem in declared.Concat(SharedProblems))
        {
            var key = problem.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var codes = string.Join(", ", problem.Codes.Select(code => $"`{code}`"));
            var description = $"{ReasonPhrases.GetReasonPhrase(problem.Status)}: problem details, `code` {codes}.";
            if (operation.Responses.TryGetValue(key, out var existing) && existing is OpenApiResponse response)
            {
                response.Description = description;
                continue;
            }
            operation.Responses[key] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document) },
                },
                Headers = problem.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable
                    ? new Dictionary<string, IOpenApiHeader>
                    {
                        ["Retry-After"] = new OpenApiHeader
                        {
                            Description = "Seconds to wait before trying again.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        },
                    }
                    : null,
            };
        }
    }

    private static void DescribeProblemExtensions(OpenApiSchema schema)
    {
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties[ApiProblems.CodeExtension] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "Stable machine-readable error code (see each response's description); clients branch on it.",
        };
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The request's trace id, to find it in the service's logs.",
        };
    }
}
