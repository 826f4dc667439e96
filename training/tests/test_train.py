"""train.py's CNN loop on a handful of clips: it trains laid out channels-last, as crossval.train_model does
(models.training_layout), and hands back the best epoch's weights in that layout."""
import numpy as np
import torch

import audio
import train
from corpora import LABELS, Clip
from models import LogMelFrontEnd


def tiny_set(rng, speaker):
    """One 0.6-s clip of each class: noise at a class's own loudness, enough for the loop, not for learning."""
    clips = []
    for i, label in enumerate(LABELS):
        wave = (rng.standard_normal(int(0.6 * audio.SAMPLE_RATE)) * 0.02 * (i + 1)).astype(np.float32)
        clips.append((Clip(f"{speaker}-{label}.wav", "ravdess", speaker, "female", label), (wave, wave)))
    return clips


def test_train_cnn_trains_channels_last_and_returns_its_best_epoch():
    rng = np.random.default_rng(0)
    config = {**train.CONFIG, "epochs": 2, "batch_size": 7, "example_seconds": (0.5, 0.6)}
    cnn, history, best_epoch = train.train_cnn(LogMelFrontEnd().eval(), tiny_set(rng, "ravdess:01"),
                                               tiny_set(rng, "ravdess:02"), config, rng)
    assert [entry["epoch"] for entry in history] == [1, 2] and best_epoch in (1, 2)
    # block 1's weight is not channels-last in the default layout (test_export.py): fails without training_layout
    assert cnn.blocks[1][0].weight.is_contiguous(memory_format=torch.channels_last)
    assert not cnn.training
