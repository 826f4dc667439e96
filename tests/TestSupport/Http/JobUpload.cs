using System.Net.Http.Headers;

namespace SpeechEmotion.TestSupport.Http;

/// <summary>The multipart form of <c>POST /jobs</c> and <c>POST /emotion</c>: a <c>file</c> part and optional text fields.</summary>
public static class JobUpload
{
    /// <param name="fields">Other form fields by name (<c>callbackUrl</c>, <c>metadata</c>, <c>channels</c>, ...); null values are left out.</param>
    public static MultipartFormDataContent Form(byte[] content, string fileName = "clip.wav", string contentType = "audio/wav",
        IEnumerable<KeyValuePair<string, string?>>? fields = null)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        foreach (var (name, value) in fields ?? [])
        {
            if (value is not null)
            {
                form.Add(new StringContent(value), name);
            }
        }
        return form;
    }
}
