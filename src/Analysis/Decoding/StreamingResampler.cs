using System.Collections.Concurrent;
using System.Numerics.Tensors;
using NWaves.Filters.Fda;
using NWaves.Windows;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Band-limited rational resampler (up by L, low-pass, down by M) for one channel, fed and drained in blocks of any
/// size: it keeps the input history the filter still needs between blocks, so block-wise output equals one-shot
/// output sample for sample. Polyphase: each output sample costs one dot product (TensorPrimitives: SIMD, several
/// accumulators; the package comes with ONNX Runtime) of a filter phase with the last T input samples; the zero-stuffed L-times signal is never built. The low-pass is a Blackman-windowed sinc designed
/// by NWaves (stopband about -74 dB). Output is aligned with the input (the filter's delay is compensated) and lasts
/// as long: ceil(inputFrames * L / M) samples.
/// </summary>
internal sealed class StreamingResampler
{
    private readonly Kernel kernel;
    private float[] history;
    private int historyCount;

    /// <summary>Absolute input index of history[0]; starts negative: the T-1 zeros before the first sample.</summary>
    private long historyStart;

    private long inputCount;
    private long nextOutput;

    /// <summary>The newest input index and the filter phase of output <see cref="nextOutput"/>.</summary>
    private long nextNewest;
    private int nextPhase;
    private bool finished;

    public StreamingResampler(int inputRate, int outputRate)
    {
        kernel = Kernel.For(inputRate, outputRate);
        history = new float[Math.Max(4096, kernel.TapsPerPhase * 4)];
        historyCount = kernel.TapsPerPhase - 1;
        historyStart = -historyCount;
        nextNewest = kernel.Delay / kernel.Up;
        nextPhase = kernel.Delay % kernel.Up;
    }

    /// <summary>Appends input samples.</summary>
    public void Push(ReadOnlySpan<float> input)
    {
        if (finished)
        {
            throw new InvalidOperationException("The input has already been finished.");
        }

        Append(input);
        inputCount += input.Length;
    }

    /// <summary>Marks the end of the input: the last outputs see zeros past it.</summary>
    public void Finish()
    {
        if (finished)
        {
            return;
        }

        finished = true;
        var total = TotalOutputs();
        if (total == 0)
        {
            return;
        }

        var lastNeeded = InputIndexFor(total - 1);
        var zeros = lastNeeded - (historyStart + historyCount) + 1;
        if (zeros > 0)
        {
            Append(new float[zeros]);
        }
    }

    /// <summary>Writes as many output samples as the input so far allows (up to output.Length); returns how many.</summary>
    public int Pull(Span<float> output)
    {
        var limit = finished ? TotalOutputs() : long.MaxValue;
        var available = historyStart + historyCount;
        var written = 0;
        // Output k sits at n = k*M + D on the L-times grid: its newest input is n / L, its filter phase n % L. Both
        // advance by M per output, tracked here without a division per sample.
        while (written < output.Length && nextOutput < limit && nextNewest < available)
        {
            var window = history.AsSpan((int)(nextNewest - kernel.TapsPerPhase + 1 - historyStart), kernel.TapsPerPhase);
            output[written++] = TensorPrimitives.Dot(kernel.Phase(nextPhase), window);
            nextOutput++;
            nextPhase += kernel.Down;
            while (nextPhase >= kernel.Up)
            {
                nextPhase -= kernel.Up;
                nextNewest++;
            }
        }

        Discard();
        return written;
    }

    private long TotalOutputs() => ((inputCount * kernel.Up) + kernel.Down - 1) / kernel.Down;

    /// <summary>The newest input sample output <paramref name="k"/> depends on.</summary>
    private long InputIndexFor(long k) => ((k * kernel.Down) + kernel.Delay) / kernel.Up;

    private void Append(ReadOnlySpan<float> input)
    {
        if (historyCount + input.Length > history.Length)
        {
            Array.Resize(ref history, Math.Max(history.Length * 2, historyCount + input.Length));
        }

        input.CopyTo(history.AsSpan(historyCount));
        historyCount += input.Length;
    }

    /// <summary>Drops the input no future output reaches back to.</summary>
    private void Discard()
    {
        var oldestNeeded = nextNewest - kernel.TapsPerPhase + 1;
        var drop = (int)Math.Clamp(oldestNeeded - historyStart, 0, historyCount);
        if (drop == 0)
        {
            return;
        }

        history.AsSpan(drop, historyCount - drop).CopyTo(history);
        historyCount -= drop;
        historyStart += drop;
    }

    /// <summary>The filter for one rate pair, split into L phases; designed once per pair and shared.</summary>
    private sealed class Kernel
    {
        /// <summary>
        /// Taps per output sample when shrinking the band is not needed; the transition band is then about
        /// 5.5 * min(rate) / 64, e.g. 690 Hz below the 4 kHz edge of an 8 kHz call.
        /// </summary>
        private const int BaseTapsPerPhase = 64;

        private static readonly ConcurrentDictionary<(int, int), Kernel> Cache = new();

        private readonly float[] phases;

        private Kernel(int inputRate, int outputRate)
        {
            var divisor = Gcd(inputRate, outputRate);
            Up = outputRate / divisor;
            Down = inputRate / divisor;
            TapsPerPhase = (int)Math.Ceiling(BaseTapsPerPhase * Math.Max(1.0, inputRate / (double)outputRate));

            // An odd length keeps the delay a whole number of samples at the L-times rate.
            var length = (TapsPerPhase * Up) - ((TapsPerPhase * Up) % 2 == 0 ? 1 : 0);
            Delay = (length - 1) / 2;
            var upRate = (double)inputRate * Up;
            var edge = Math.Min(inputRate, outputRate) / 2.0;
            var transition = 5.5 * upRate / length;
            // The stopband starts at the lower Nyquist frequency, so nothing above it folds back.
            var cutoff = Math.Max(edge - (transition / 2), edge / 2) / upRate;
            var taps = DesignFilter.FirWinLp(length, cutoff, WindowType.Blackman);

            // Phase p holds h[p], h[p + L], ... reversed, so it lines up with the input history oldest-first.
            phases = new float[Up * TapsPerPhase];
            for (var phase = 0; phase < Up; phase++)
            {
                for (var t = 0; t < TapsPerPhase; t++)
                {
                    var index = phase + (Up * (TapsPerPhase - 1 - t));
                    // Zero-stuffing leaves 1/L of the energy: the gain of L restores the level.
                    phases[(phase * TapsPerPhase) + t] = index < length ? (float)(taps[index] * Up) : 0f;
                }
            }
        }

        public int Up { get; }

        public int Down { get; }

        public int TapsPerPhase { get; }

        public int Delay { get; }

        public ReadOnlySpan<float> Phase(int phase) => phases.AsSpan(phase * TapsPerPhase, TapsPerPhase);

        public static Kernel For(int inputRate, int outputRate) =>
            Cache.GetOrAdd((inputRate, outputRate), rates => new Kernel(rates.Item1, rates.Item2));

        /// <summary>Rates whose reduced ratio needs more phases than this are left to ffmpeg (the table would be huge).</summary>
        public const int MaxPhases = 1024;

        public static bool IsSupported(int inputRate, int outputRate) => outputRate / Gcd(inputRate, outputRate) <= MaxPhases;

        private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
    }

    /// <summary>Whether this resampler takes <paramref name="inputRate"/> (an odd rate like 7999 Hz does not).</summary>
    public static bool Supports(int inputRate, int outputRate) => Kernel.IsSupported(inputRate, outputRate);
}
