using NAudio.Codecs;
using NAudio.Wave;

namespace SpeechEmotion.Cli.Audio;

/// <summary>The WAV files the tool hands to the service: what a client would upload.</summary>
public static class WavFile
{
    public const int ServiceSampleRate = 16000;

    /// <summary>16 kHz mono float32: the service reads it losslessly, so only the samples themselves differ.</summary>
    public static byte[] Float32(float[] samples, int sampleRate = ServiceSampleRate)
    {
        var file = new MemoryStream();
        using (var writer = new WaveFileWriter(file, WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, 1)))
        {
            writer.WriteSamples(samples, 0, samples.Length);
        }

        return file.ToArray();
    }

    /// <summary>G.711 μ-law (8-bit codes) mono, as telephone systems store calls.</summary>
    public static byte[] MuLaw(float[] samples, int sampleRate)
    {
        var codes = new byte[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            var linear = (short)Math.Round(Math.Clamp(samples[i], -1f, 1f) * short.MaxValue);
            codes[i] = MuLawEncoder.LinearToMuLawSample(linear);
        }

        var file = new MemoryStream();
        using (var writer = new WaveFileWriter(file, WaveFormat.CreateMuLawFormat(sampleRate, 1)))
        {
            writer.Write(codes, 0, codes.Length);
        }

        return file.ToArray();
    }
}
