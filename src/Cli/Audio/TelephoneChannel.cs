using NWaves.Filters.Base;
using NWaves.Filters.Butterworth;
using NWaves.Filters.Fda;
using NWaves.Operations;
using NWaves.Signals;

namespace SpeechEmotion.Cli.Audio;

/// <summary>
/// What a call centre receives: the 300–3400 Hz telephone band, 8 kHz sampling, G.711 μ-law. The same channel as
/// training's (training/audio.py, telephone: 4th-order Butterworth band-pass, halve the rate, μ-law), except that the
/// way back to 16 kHz is left to the service, which gets an 8 kHz μ-law WAV as a telephony platform would send it.
/// </summary>
public static class TelephoneChannel
{
    public const int SampleRate = 8000;
    public const double LowHz = 300;
    public const double HighHz = 3400;
    private const int Order = 4;

    /// <summary>16 kHz mono samples → the bytes of an 8 kHz μ-law WAV file.</summary>
    public static byte[] ToMuLawWav(float[] samples16k) => WavFile.MuLaw(BandLimit(samples16k), SampleRate);

    /// <summary>Band-passed and decimated to 8 kHz, before μ-law companding.</summary>
    public static float[] BandLimit(float[] samples16k)
    {
        // Second-order sections: the direct form of an 8-pole band-pass this narrow (300 Hz at 16 kHz) is numerically
        // fragile in single precision.
        var bandPass = new BandPassFilter(LowHz / WavFile.ServiceSampleRate, HighHz / WavFile.ServiceSampleRate, Order);
        var sections = new FilterChain(DesignFilter.TfToSos(bandPass.Tf));
        var band = sections.ApplyTo(new DiscreteSignal(WavFile.ServiceSampleRate, samples16k));
        var decimated = new Resampler().Decimate(band, WavFile.ServiceSampleRate / SampleRate).Samples;
        // The anti-aliasing FIR lengthens the output by its order; a symmetric FIR delays by half of that: undo both,
        // so the 8 kHz signal lines up with the original and lasts as long.
        var length = samples16k.Length / (WavFile.ServiceSampleRate / SampleRate);
        var delay = (decimated.Length - length) / 2;
        return decimated.AsSpan(delay, length).ToArray();
    }
}
