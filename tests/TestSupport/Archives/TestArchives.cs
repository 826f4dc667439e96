using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;

namespace SpeechEmotion.TestSupport.Archives;

/// <summary>Archives made in code for <c>POST /batches</c>, and its multipart form (an <c>archive</c> part).</summary>
public static class TestArchives
{
    public static byte[] Zip(IEnumerable<(string Name, byte[] Content)> members, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                using var entry = zip.CreateEntry(name, level).Open();
                entry.Write(content);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Tar(IEnumerable<(string Name, byte[] Content)> members) => TarOf(members, compress: false);

    public static byte[] TarGz(IEnumerable<(string Name, byte[] Content)> members) => TarOf(members, compress: true);

    private static byte[] TarOf(IEnumerable<(string Name, byte[] Content)> members, bool compress)
    {
        using var buffer = new MemoryStream();
        using (var target = compress ? new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true) : (Stream)new NonClosing(buffer))
        using (var tar = new TarWriter(target, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }
        return buffer.ToArray();
    }

    public static MultipartFormDataContent Form(byte[] archive, string fileName)
    {
        var file = new ByteArrayContent(archive);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { file, "archive", fileName } };
    }

    /// <summary>Leaves the buffer open when the plain tar's writer stream is disposed.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
