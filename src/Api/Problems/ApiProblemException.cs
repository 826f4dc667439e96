namespace SpeechEmotion.Api.Problems;

/// <summary>
/// A request the Api refuses, with the HTTP status and the stable error code (Contracts.Errors.ErrorCodes).
/// Thrown from deep inside request handling (e.g. half-way through streaming an upload) and turned into
/// problem details by <see cref="ApiExceptionHandler"/>.
/// </summary>
public sealed class ApiProblemException(int status, string code, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}
