"""The torch modules that end up in the ONNX graphs: the spectral front end, the CNN, the baseline, and the
serving wrapper (waveform in, calibrated probabilities out)."""
import numpy as np
import torch
from torch import nn

SAMPLE_RATE = 16000
N_FFT = 400     # 25 ms Hann window: the usual analysis window for speech
HOP = 160       # 10 ms hop
N_MELS = 64     # enough resolution for formants and pitch harmonics without bloating the CNN
F_MIN, F_MAX = 50.0, 8000.0
LOG_FLOOR = 1e-6
N_BINS = N_FFT // 2 + 1


def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank():
    """HTK-style triangular filters on the FFT bin frequencies: [N_BINS, N_MELS]."""
    bin_hz = np.linspace(0, SAMPLE_RATE / 2, N_BINS)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(F_MIN), _hz_to_mel(F_MAX), N_MELS + 2))
    bank = np.zeros((N_BINS, N_MELS))
    for m in range(N_MELS):
        lo, centre, hi = edges[m], edges[m + 1], edges[m + 2]
        rising = (bin_hz - lo) / (centre - lo)
        falling = (hi - bin_hz) / (hi - centre)
        bank[:, m] = np.maximum(0.0, np.minimum(rising, falling))
    return bank.astype(np.float32)


def dft_kernels():
    """Windowed DFT as convolution kernels [2*N_BINS, 1, N_FFT] (real parts, then imaginary parts).

    The STFT is a strided Conv1d: it exports to any ONNX opset, runs on ONNX Runtime's fast convolution, and
    equals numpy's rfft of the windowed frames (tests/test_frontend.py measures the difference)."""
    n = np.arange(N_FFT)
    k = np.arange(N_BINS)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)  # periodic Hann
    angle = 2 * np.pi * k * n / N_FFT
    kernels = np.concatenate([np.cos(angle) * window, -np.sin(angle) * window])
    return kernels[:, None, :].astype(np.float32)


class LogMelFrontEnd(nn.Module):
    """[batch, samples] waveform -> [batch, N_MELS, frames] log-mel, normalised per utterance.

    Frames are not centred: frame t covers samples [t*HOP, t*HOP + N_FFT). Per-utterance mean/variance
    normalisation makes the answer independent of recording level."""

    def __init__(self):
        super().__init__()
        self.register_buffer("dft", torch.from_numpy(dft_kernels()))
        self.register_buffer("mel", torch.from_numpy(mel_filterbank()))

    def log_mel(self, wave):
        spec = nn.functional.conv1d(wave.unsqueeze(1), self.dft, stride=HOP)
        real, imag = spec[:, :N_BINS], spec[:, N_BINS:]
        power = real * real + imag * imag                        # [B, bins, frames]
        mel = torch.matmul(power.transpose(1, 2), self.mel)      # [B, frames, mels]
        return torch.log(mel + LOG_FLOOR).transpose(1, 2)        # [B, mels, frames]

    def forward(self, wave):
        x = self.log_mel(wave)
        mean = x.mean(dim=(1, 2), keepdim=True)
        std = x.std(dim=(1, 2), keepdim=True)
        return (x - mean) / (std + 1e-5)


class SpecAugment(nn.Module):
    """Training-only masks on the normalised log-mel: one frequency band and one time span per example."""

    def __init__(self, p=0.5, max_mels=8, max_frames=20):
        super().__init__()
        self.p, self.max_mels, self.max_frames = p, max_mels, max_frames

    def forward(self, x):
        if not self.training:
            return x
        x = x.clone()
        for i in range(x.shape[0]):
            if torch.rand(()) >= self.p:
                continue
            width = int(torch.randint(1, self.max_mels + 1, ()))
            start = int(torch.randint(0, x.shape[1] - width + 1, ()))
            x[i, start:start + width, :] = 0.0
            width = int(torch.randint(1, min(self.max_frames, x.shape[2] // 4) + 1, ()))
            start = int(torch.randint(0, x.shape[2] - width + 1, ()))
            x[i, :, start:start + width] = 0.0
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
    """Four conv blocks over the log-mel image, then mean+max pooling over time (any clip length), linear."""

    def __init__(self, channels=(16, 32, 64, 128), n_classes=7, dropout=0.2):
        super().__init__()
        blocks, c_in = [], 1
        for c_out in channels:
            blocks.append(conv_block(c_in, c_out, dropout))
            c_in = c_out
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(2 * c_in, n_classes))

    def forward(self, features):                 # [B, mels, frames]
        x = self.blocks(features.unsqueeze(1))   # [B, C, mels/16, frames/16]
        x = x.mean(dim=2)                        # [B, C, T]
        pooled = torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1)
        return self.head(pooled)                 # logits


def utterance_statistics(features):
    """Baseline features: mean and std over time of the log-mel and of its first difference: [B, 4*N_MELS]."""
    delta = features[:, :, 1:] - features[:, :, :-1]
    return torch.cat([features.mean(2), features.std(2), delta.mean(2), delta.std(2)], dim=1)


class StatisticsBaseline(nn.Module):
    """Multinomial logistic regression on utterance statistics; weights come from scikit-learn."""

    def __init__(self, n_classes=7):
        super().__init__()
        n_features = 4 * N_MELS
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("scale", torch.ones(n_features))
        self.linear = nn.Linear(n_features, n_classes)

    def forward(self, features):
        return self.linear((utterance_statistics(features) - self.mean) / self.scale)


class ServingModel(nn.Module):
    """What the ONNX file contains: waveform -> front end -> classifier -> softmax(logits / temperature)."""

    def __init__(self, frontend, classifier, temperature=1.0):
        super().__init__()
        self.frontend = frontend
        self.classifier = classifier
        self.register_buffer("temperature", torch.tensor(float(temperature)))

    def forward(self, waveform):
        logits = self.classifier(self.frontend(waveform))
        return torch.softmax(logits / self.temperature, dim=1)
