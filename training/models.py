"""The torch modules that end up in the ONNX graphs: the spectral front end, the CNN, the baseline, and the
serving wrapper (waveform in, calibrated probabilities out)."""
import numpy as np
import torch
from torch import nn

SAMPLE_RATE = 16000
N_FFT = 400     # 25 ms Hann window: the usual analysis window for speech
HOP = 160       # 10 ms hop
N_MELS = 64     # enough resolution for formants and pitch harmonics without bloating the CNN
# Telephone band by default: calls carry nothing above 4 kHz, so the model never learns to rely on it and a clean
# 16 kHz recording and a G.711 call look alike to it.
F_MIN, F_MAX = 50.0, 4000.0
LOG_FLOOR = 1e-6
N_BINS = N_FFT // 2 + 1


def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


# Vocal tract length perturbation (training only, the `vtlp` recipe): a speaker's formants and harmonics sit higher
# or lower by a factor of about 0.9-1.1 against another's, so each example's spectrum is stretched by such a factor
# before the mel filters. Unlike the waveform's speed perturbation it leaves the tempo, an emotion cue, alone.
# Piecewise linear (Jaitly & Hinton 2013): scaled by the factor up to where the lower of f and factor * f reaches 80 %
# of the band, then straight to F_MAX, so the band's edge stays where it is and no band falls off the end of the
# telephone band.
VTLP_EDGE = 0.8 * F_MAX


def vtlp_warp(hz, factor):
    """The stretched frequency at which a speaker `factor` times higher would put what is at `hz`, for hz in 0..F_MAX
    (above F_MAX: unchanged)."""
    hz = np.asarray(hz, dtype=np.float64)
    knee = VTLP_EDGE * min(factor, 1.0) / factor
    upper = factor * knee + (F_MAX - factor * knee) * (hz - knee) / (F_MAX - knee)
    return np.where(hz <= knee, factor * hz, np.where(hz <= F_MAX, upper, hz))


# Channel colouring (the `eq` recipes): a handset's microphone, the line and the codec tilt and ripple the spectrum,
# by 10 dB and more across the band, and every call arrives through another; the acted corpora were each recorded
# through one studio chain. Training multiplies each example's power spectrum by a smooth random gain curve (fixed
# over the example), so the CNN cannot take a colouring for an emotion. Drawn per example: a tilt about 1 kHz, and a
# ripple of three cosines across 0..F_MAX; set before any figure.
EQ_PROBABILITY = 0.8
EQ_TILT_DB_PER_OCTAVE = 3.0   # tilt uniform in ±3 dB per octave (±12 dB at 62.5 Hz, ±6 dB at 4 kHz)
EQ_RIPPLE_DB = 3.0            # each cosine's amplitude uniform in ±3 dB


def channel_eq_db(hz, tilt, ripples):
    """A colouring's gain in dB at `hz`: `tilt` dB per octave about 1 kHz (flat below 62.5 Hz) plus cosines
    `ripples[k] * cos((k + 1) pi hz / F_MAX)`."""
    hz = np.asarray(hz, dtype=np.float64)
    x = np.clip(hz / F_MAX, 0.0, 1.0)
    ripple = sum(a * np.cos(np.pi * (k + 1) * x) for k, a in enumerate(ripples))
    return tilt * np.log2(np.maximum(hz, 62.5) / 1000.0) + ripple


def channel_eq_gains(n, bins, rng):
    """[n, bins] power gains of n random colourings on the DFT bins 0..bins-1 (1 where an example draws none)."""
    hz = np.arange(bins) * SAMPLE_RATE / N_FFT
    coloured = rng.random(n) < EQ_PROBABILITY
    tilts = rng.uniform(-EQ_TILT_DB_PER_OCTAVE, EQ_TILT_DB_PER_OCTAVE, n) * coloured
    ripples = rng.uniform(-EQ_RIPPLE_DB, EQ_RIPPLE_DB, (n, 3)) * coloured[:, None]
    db = np.stack([channel_eq_db(hz, t, r) for t, r in zip(tilts, ripples)])
    return (10 ** (db / 10)).astype(np.float32)


def mel_filterbank(vtlp_factor=1.0):
    """HTK-style triangular filters on the FFT bin frequencies: [N_BINS, N_MELS]. With `vtlp_factor` the filters read
    the spectrum as a speaker that many times higher would have made it (vtlp_warp): band m gets what lay under
    filter m at the warped frequencies."""
    bin_hz = np.linspace(0, SAMPLE_RATE / 2, N_BINS)
    if not np.isclose(vtlp_factor, 1.0):  # the warp at 1 may differ in the last bit; the graph's filters must not
        bin_hz = vtlp_warp(bin_hz, vtlp_factor)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(F_MIN), _hz_to_mel(F_MAX), N_MELS + 2))
    bank = np.zeros((N_BINS, N_MELS))
    for m in range(N_MELS):
        lo, centre, hi = edges[m], edges[m + 1], edges[m + 2]
        rising = (bin_hz - lo) / (centre - lo)
        falling = (hi - bin_hz) / (hi - centre)
        bank[:, m] = np.maximum(0.0, np.minimum(rising, falling))
    return bank.astype(np.float32)


# The bins up to F_MAX (0..100 of 201): above it every mel weight is 0, so computing those bins was half of the
# front end's DFT for nothing (timings in the model card, "Front end"). Bin 100 itself (4 kHz) has weight 0 too; it
# stays so that the graphs already cut (`export.trim_front_end`) and fresh exports are the same graph.
N_USED_BINS = int(np.ceil(F_MAX / (SAMPLE_RATE / N_FFT))) + 1


def dft_kernels(bins=N_USED_BINS):
    """Windowed DFT as convolution kernels [2*bins, 1, N_FFT] (real parts, then imaginary parts) of bins 0..bins-1.

    The STFT is a strided Conv1d: it exports to any ONNX opset, runs on ONNX Runtime's fast convolution, and
    equals numpy's rfft of the windowed frames (tests/test_frontend.py measures the difference)."""
    n = np.arange(N_FFT)
    k = np.arange(bins)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)  # periodic Hann
    angle = 2 * np.pi * k * n / N_FFT
    kernels = np.concatenate([np.cos(angle) * window, -np.sin(angle) * window])
    return kernels[:, None, :].astype(np.float32)


# Per-channel energy normalisation (Wang et al. 2017, "Trainable frontend for robust and far-field keyword
# spotting"; the `pcen` recipes): each mel band's power divided by its own smoothed recent past M (a gain control per
# band), then compressed. A steady noise floor becomes a constant that speech stands above, where under the log it
# fills the spectrum's valleys. M[t] = (1 - s) M[t-1] + s E[t] runs as a causal convolution with its impulse response
# cut at PCEN_TAPS (renormalised), the first frame repeated before the start, so the graph exports to any opset. The
# compression is PCEN's r -> 0 limit, log(1 + E / M^alpha): the per-utterance normalisation after it removes the
# scale and shift that separate it from (E / M^alpha + delta)^r - delta^r for small r, and the log keeps an onset
# after digital silence (M near 0) from swamping the rest as a square root would.
PCEN_SMOOTHING = 0.025   # a time constant of about 0.4 s at the 10-ms hop (librosa's default)
PCEN_ALPHA = 0.98
PCEN_BLOCK = 20
PCEN_TAPS = PCEN_BLOCK ** 2   # 0.975 ** 400 = 4e-5 of the response left out (at 200 taps, 0.6 % of a loud burst's
                              # weight came back as 25 % of the floor's M 2 s later)
PCEN_EPS = 1e-6


def pcen_kernel():
    """The smoother's impulse response as conv1d weights [1, 1, PCEN_TAPS], oldest frame first, summing to 1."""
    response = PCEN_SMOOTHING * (1 - PCEN_SMOOTHING) ** np.arange(PCEN_TAPS)[::-1]
    return (response / response.sum()).astype(np.float32)[None, None, :]


def pcen_factors():
    """pcen_kernel as two 20-tap convolutions, the second dilated by 20: a^(20q + r) = a^r * a^(20q), so the pair gives
    every one of the 400 taps once, at a tenth of the work (ONNX Runtime ran the 400-tap Conv as a 400-row im2col
    per band). Returns (recent [1, 1, 20], blocks [1, 1, 20]), oldest first; their convolution is pcen_kernel."""
    decay = 1 - PCEN_SMOOTHING
    steps = np.arange(PCEN_BLOCK)[::-1]
    recent, blocks = decay ** steps, decay ** (PCEN_BLOCK * steps)
    blocks = blocks / (recent.sum() * blocks.sum())   # the pair sums to 1
    return (torch.from_numpy(recent.astype(np.float32)[None, None, :]),
            torch.from_numpy(blocks.astype(np.float32)[None, None, :]))


def pcen_smooth(power, factors):
    """[B, mels, frames] -> each band's M, the first frame repeated before the start (factors: pcen_factors)."""
    b, mels, frames = power.shape
    recent, blocks = factors
    # Before the start every frame is the first, so the first convolution's first output is already the value it
    # would give there: repeating it stands for the 380 frames the dilated one reaches back, without computing them.
    rows = nn.functional.pad(power.reshape(b * mels, 1, frames), (PCEN_BLOCK - 1, 0), mode="replicate")
    rows = nn.functional.pad(nn.functional.conv1d(rows, recent), (PCEN_TAPS - PCEN_BLOCK, 0), mode="replicate")
    return nn.functional.conv1d(rows, blocks, dilation=PCEN_BLOCK).reshape(b, mels, frames)


def pcen(power, factors, alpha=PCEN_ALPHA):
    """[B, mels, frames] mel power -> log(1 + E / (eps + M)^alpha), M each band's smoothed past (pcen_smooth).
    Below 1, alpha keeps (1 - alpha) of each band's long-term log level: the spectral shape a gain per band removes."""
    return torch.log1p(power / (PCEN_EPS + pcen_smooth(power, factors)) ** alpha)


class LogMelFrontEnd(nn.Module):
    """[batch, samples] waveform -> [batch, N_MELS, frames] log-mel, normalised per utterance over its speech.

    Frames are not centred: frame t covers samples [t*HOP, t*HOP + N_FFT). Per-utterance mean/variance
    normalisation over the speech frames makes the answer independent of recording level and of how much silence or
    noise surrounds the speech.

    `floor_db` (None: off) adds a floor that many dB below the utterance's mean mel-band power over its speech before
    the log: a quiet noise floor and digital silence then look alike, so cells the noise decides weigh less.

    `pcen` (False: off) gives the CNN per-channel energy normalised power (`pcen`) instead of the log-mel; the speech
    mask still comes from the log-mel. `pcen_plane` gives it both, each normalised on its own, as two planes
    [B, 2, N_MELS, frames] (log-mel first): the log-mel's spectral shape, which PCEN's per-band gain removes, beside
    PCEN's view in which a steady floor or a line's colouring is flat. `pcen_alpha` is PCEN's exponent (`pcen`)."""

    def __init__(self, floor_db=None, bins=N_USED_BINS, pcen=False, pcen_plane=False, pcen_alpha=PCEN_ALPHA):
        super().__init__()
        assert not (pcen and pcen_plane), "pcen replaces the log-mel; pcen_plane adds it beside the log-mel"
        self.floor_db = floor_db
        self.pcen = pcen
        self.pcen_plane = pcen_plane
        self.pcen_alpha = pcen_alpha
        if pcen or pcen_plane:  # a buffer only where used, so the graphs and weights of the other recipes are unchanged
            recent, blocks = pcen_factors()
            self.register_buffer("pcen_recent", recent)
            self.register_buffer("pcen_blocks", blocks)
        self.bins = bins  # N_BINS: every bin, as the graphs exported before 2026-12-02 (v5 as trained) computed them
        self.register_buffer("dft", torch.from_numpy(dft_kernels(bins)))
        self.register_buffer("mel", torch.from_numpy(mel_filterbank()[:bins]))

    def mel_power(self, wave, mel=None):
        """`mel`: each example's own filters [B, bins, mels] (training's vtlp); None: the graph's."""
        spec = nn.functional.conv1d(wave.unsqueeze(1), self.dft, stride=HOP)
        real, imag = spec[:, :self.bins], spec[:, self.bins:]
        power = real * real + imag * imag                                  # [B, bins, frames]
        return torch.matmul(power.transpose(1, 2), self.mel if mel is None else mel).transpose(1, 2)  # [B, mels, frames]

    def log_mel(self, wave):
        return torch.log(self.mel_power(wave) + LOG_FLOOR)

    def pcen_of(self, power):
        return pcen(power, (self.pcen_recent, self.pcen_blocks), self.pcen_alpha)

    def forward(self, wave, mel=None):
        """Returns (features [B, mels, frames], speech mask [B, frames] in 0..1); `mel` as in mel_power."""
        power = self.mel_power(wave, mel)
        x = torch.log(power + LOG_FLOOR)
        mask = speech_mask(x)
        if self.floor_db is not None:
            speech_power = (power.mean(dim=1) * mask).sum(dim=1) / (mask.sum(dim=1) + 1e-3)   # [B]
            x = torch.log(power + speech_power[:, None, None] * 10 ** (-self.floor_db / 10) + LOG_FLOOR)
        if self.pcen:
            x = self.pcen_of(power)
        x = normalise_over_speech(x, mask)
        if self.pcen_plane:
            x = torch.stack([x, normalise_over_speech(self.pcen_of(power), mask)], dim=1)
        return x, mask


def normalise_over_speech(x, mask):
    """[B, mels, frames] log-mel to mean 0, variance 1 over its speech cells (frames weighted by the mask [B, frames])."""
    weight = mask.unsqueeze(1)                                    # [B, 1, frames]
    total = weight.sum(dim=2, keepdim=True) * x.shape[1] + 1e-3   # speech cells
    mean = (x * weight).sum(dim=(1, 2), keepdim=True) / total
    var = ((x - mean) ** 2 * weight).sum(dim=(1, 2), keepdim=True) / total
    return (x - mean) / torch.sqrt(var + 1e-5)


# --- Speech mask -----------------------------------------------------------------------------------------------
# Recordings arrive with pauses, leading and trailing room noise and noise floors from -70 to -35 dBFS. Statistics
# over every frame would let the noise decide the answer, so normalisation and pooling weight frames by how likely
# they are speech. Frame energy (log of the summed mel power) is compared with the recording's own noise floor
# (quietest 150 ms) and peak: a frame counts as speech when it is in the upper half of that range, and within 30 dB
# of the peak (so digital silence does not pull the threshold down into a real noise floor).
MASK_SMOOTH_FRAMES = 15
MASK_RANGE_FRACTION = 0.5
MASK_PEAK_RANGE = float(np.log(10 ** 3.0))   # 30 dB in natural-log power units
MASK_SLOPE = 0.5                              # about 2 dB from 27 % to 73 %


def speech_mask(log_mel):
    energy = torch.logsumexp(log_mel, dim=1, keepdim=True)       # [B, 1, frames]
    smooth = nn.functional.avg_pool1d(energy, MASK_SMOOTH_FRAMES, stride=1, padding=MASK_SMOOTH_FRAMES // 2,
                                      count_include_pad=False)
    floor = smooth.amin(dim=2, keepdim=True)
    peak = smooth.amax(dim=2, keepdim=True)
    threshold = torch.maximum(floor + MASK_RANGE_FRACTION * (peak - floor), peak - MASK_PEAK_RANGE)
    return torch.sigmoid((smooth - threshold) / MASK_SLOPE).squeeze(1)


class SpecAugment(nn.Module):
    """Training-only masks on the normalised log-mel: one frequency band and one time span per example."""

    def __init__(self, p=0.5, max_mels=8, max_frames=20):
        super().__init__()
        self.p, self.max_mels, self.max_frames = p, max_mels, max_frames

    def forward(self, x):
        if not self.training:
            return x
        x = x.clone()
        mels, frames = x.shape[-2:]   # [B, mels, frames] or [B, planes, mels, frames]: every plane masked alike
        for i in range(x.shape[0]):
            if torch.rand(()) >= self.p:
                continue
            width = int(torch.randint(1, self.max_mels + 1, ()))
            start = int(torch.randint(0, mels - width + 1, ()))
            x[i, ..., start:start + width, :] = 0.0
            width = int(torch.randint(1, min(self.max_frames, frames // 4) + 1, ()))
            start = int(torch.randint(0, frames - width + 1, ()))
            x[i, ..., start:start + width] = 0.0
        return x


def conv_block(c_in, c_out, dropout):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
        nn.Dropout(dropout),
    )


class EmotionCNN(nn.Module):
    """Four conv blocks over the log-mel image, then statistics pooling over time weighted by the speech mask (any
    clip length; frames of silence or noise count for little), linear."""

    def __init__(self, channels=(16, 32, 64, 128), n_classes=7, dropout=0.2, deltas=False, keep_bands=False, planes=1):
        super().__init__()
        # planes: how many the front end gives ([B, mels, frames] is one; LogMelFrontEnd's pcen_plane gives two)
        self.deltas = deltas  # a second input plane: each band's slope over ±2 frames (how the spectrum moves)
        # keep_bands: the last block's N_MELS / 16 frequency rows pooled each on their own instead of averaged, so the
        # head knows where in the spectrum (pitch and first formant low, upper formants high) a pattern was found
        self.keep_bands = keep_bands
        assert not (deltas and planes > 1), "deltas are taken of a single plane"
        blocks, c_in = [], 2 if deltas else planes
        for c_out in channels:
            blocks.append(conv_block(c_in, c_out, dropout))
            c_in = c_out
        self.blocks = nn.Sequential(*blocks)
        self.stride = 2 ** len(channels)
        self.embed_size = 3 * c_in * (N_MELS // self.stride if keep_bands else 1)   # mean, std and peak of each row
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(self.embed_size, n_classes))

    def forward(self, features, mask):            # [B, mels, frames] or [B, planes, mels, frames], [B, frames]
        return self.head(self.embed(features, mask))  # logits

    def embed(self, features, mask):
        """The pooled statistics the head reads: [B, embed_size] (SpeakerAdversary reads them too)."""
        x = features.unsqueeze(1) if features.dim() == 3 else features
        if self.deltas:
            x = torch.cat([x, delta(x)], dim=1)
        x = self.blocks(x)                        # [B, C, mels/16, frames/16]
        x = x.flatten(1, 2) if self.keep_bands else x.mean(dim=2)   # [B, C * mels/16, T] or [B, C, T]
        weight = nn.functional.avg_pool1d(mask.unsqueeze(1), self.stride, stride=self.stride)[:, :, :x.shape[2]]
        total = weight.sum(dim=2) + 1e-3
        mean = (x * weight).sum(dim=2) / total
        std = torch.sqrt(((x - mean.unsqueeze(2)) ** 2 * weight).sum(dim=2) / total + 1e-5)
        peak = (x * weight).amax(dim=2)  # strongest response among speech frames (x >= 0 after the ReLUs)
        return torch.cat([mean, std, peak], dim=1)


class _ReversedGradient(torch.autograd.Function):
    """Identity forward; backward multiplies the gradient by -scale (Ganin & Lempitsky 2015)."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.scale * grad, None


class SpeakerAdversary(nn.Module):
    """Training only, never exported: guesses the speaker from EmotionCNN.embed through a reversed gradient. The
    adversary learns to name the speaker; the CNN beneath it is pushed, with weight `scale`, towards pooled features
    that do not say who is speaking, since the model is judged on voices it never heard."""

    def __init__(self, n_inputs, n_speakers, hidden=128, dropout=0.3):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_inputs, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
                                 nn.Linear(hidden, n_speakers))

    def forward(self, embedding, scale):
        return self.net(_ReversedGradient.apply(embedding, scale))


def training_layout(cnn):
    """The CNN laid out channels-last while it trains: on a CPU, max-pooling and the convolutions' forward are faster in
    that layout, about a sixth less time a step on 2 cores (`bench/training-steps.py`; models/MODEL_CARD.md,
    "Training v5 on this 2-core machine"). Only the memory layout changes: the weights saved
    hold the same values (with channels-last strides), the exported graph is the same, the losses differ in rounding."""
    return cnn.to(memory_format=torch.channels_last)


class CalmFoldedIntoNeutral(nn.Module):
    """A CNN trained with RAVDESS's calm as an eighth class (crossval recipe `calm-class`) served with the seven
    labels: neutral's logit becomes logsumexp(neutral, calm), so after the softmax neutral holds both probabilities."""

    def __init__(self, cnn):
        super().__init__()
        self.cnn = cnn

    def forward(self, features, mask):
        logits = self.cnn(features, mask)                                   # [B, 8]: the seven labels, then calm
        neutral = torch.logsumexp(logits[:, [0, 7]], dim=1, keepdim=True)
        return torch.cat([neutral, logits[:, 1:7]], dim=1)


def delta(x):
    """The usual regression delta over ±2 frames (HTK): sum n (x[t+n] - x[t-n]) / 10, edges repeated. x: [B, 1, F, T]."""
    padded = nn.functional.pad(x, (2, 2, 0, 0), mode="replicate")
    return (padded[..., 3:-1] - padded[..., 1:-3] + 2 * (padded[..., 4:] - padded[..., :-4])) / 10


def utterance_statistics(features, mask):
    """Baseline features: mean and std over speech frames of the log-mel and of its first difference: [B, 4*N_MELS]."""
    def stats(x, w):
        total = w.sum(dim=2) + 1e-3
        mean = (x * w).sum(dim=2) / total
        std = torch.sqrt(((x - mean.unsqueeze(2)) ** 2 * w).sum(dim=2) / total + 1e-8)
        return mean, std
    weight = mask.unsqueeze(1)
    delta = features[:, :, 1:] - features[:, :, :-1]
    mean, std = stats(features, weight)
    delta_mean, delta_std = stats(delta, weight[:, :, 1:])
    return torch.cat([mean, std, delta_mean, delta_std], dim=1)


class StatisticsBaseline(nn.Module):
    """Multinomial logistic regression on utterance statistics; weights come from scikit-learn."""

    def __init__(self, n_classes=7):
        super().__init__()
        n_features = 4 * N_MELS
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("scale", torch.ones(n_features))
        self.linear = nn.Linear(n_features, n_classes)

    def forward(self, features, mask):
        return self.linear((utterance_statistics(features, mask) - self.mean) / self.scale)


class ServingModel(nn.Module):
    """What the ONNX file contains: waveform -> front end -> classifier -> softmax(logits / temperature)."""

    def __init__(self, frontend, classifier, temperature=1.0):
        super().__init__()
        self.frontend = frontend
        self.classifier = classifier
        self.register_buffer("temperature", torch.tensor(float(temperature)))

    def forward(self, waveform):
        logits = self.classifier(*self.frontend(waveform))
        return torch.softmax(logits / self.temperature, dim=1)
