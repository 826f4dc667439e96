namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// ITU-T G.711 expansion, μ-law and A-law bytes to the 16-bit linear values the standard defines (as ffmpeg's
/// pcm_mulaw / pcm_alaw decoders produce them), scaled like 16-bit PCM. Tables: 256 entries, built once.
/// </summary>
internal static class G711
{
    public static readonly float[] MuLaw = BuildTable(MuLawToLinear);
    public static readonly float[] ALaw = BuildTable(ALawToLinear);

    private static float[] BuildTable(Func<byte, int> expand)
    {
        var table = new float[256];
        for (var code = 0; code < 256; code++)
        {
            table[code] = expand((byte)code) / 32768f;
        }

        return table;
    }

    private static int MuLawToLinear(byte code)
    {
        const int bias = 0x84;
        var inverted = ~code & 0xFF;
        var exponent = (inverted >> 4) & 0x07;
        var magnitude = ((((inverted & 0x0F) << 3) + bias) << exponent) - bias;
        return (inverted & 0x80) != 0 ? -magnitude : magnitude;
    }

    private static int ALawToLinear(byte code)
    {
        var toggled = code ^ 0x55;
        var exponent = (toggled >> 4) & 0x07;
        var mantissa = toggled & 0x0F;
        var magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        // In A-law the sign bit set means positive.
        return (toggled & 0x80) != 0 ? magnitude : -magnitude;
    }
}
