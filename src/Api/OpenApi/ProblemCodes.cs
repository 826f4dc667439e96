namespace SpeechEmotion.Api.OpenApi;

/// <summary>Which stable <c>code</c>s a problem-details answer of one status can carry, for the OpenAPI document.</summary>
public sealed record ProblemCodesMetadata(int Status, IReadOnlyList<string> Codes);

public static class ProblemCodesExtensions
{
    /// <summary>
    /// <c>ProducesProblem(status)</c> plus the codes the answer may carry; <see cref="ApiDocument"/> writes them into
    /// the response's description. Statuses every endpoint shares (401, 429, 503) are added by <see cref="ApiDocument"/>.
    /// </summary>
    public static RouteHandlerBuilder ProducesProblemCodes(this RouteHandlerBuilder builder, int status, params string[] codes) =>
        builder.ProducesProblem(status).WithMetadata(new ProblemCodesMetadata(status, codes));
}
