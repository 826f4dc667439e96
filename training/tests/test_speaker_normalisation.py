"""Per-speaker normalisation, against hand computations (the same cases as the C# SpeakerNormalisationTests)."""
import numpy as np

import speaker_normalisation as sn

WINDOWS = np.log([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25]])


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_full_centring_divides_out_the_speakers_geometric_mean():
    # g = (sqrt(0.125), sqrt(0.125), 0.25); window 1: p/g = (1.414214, 0.707107, 1), sum 3.121320.
    assert np.allclose(softmax(sn.centre(WINDOWS, 1.0))[0], [0.453082, 0.226541, 0.320377], atol=1e-6)


def test_centring_weights_windows():
    # weights 3 : 1: g = (0.420448, 0.297302, 0.25); window 2: p/g = (0.594604, 1.681793, 1), sum 3.276397.
    assert np.allclose(softmax(sn.centre(WINDOWS, 1.0, [3, 1]))[1], [0.181481, 0.513306, 0.305213], atol=1e-6)


def test_standardising_scores_each_label_against_the_speakers_spread():
    # label 0: log 0.5 and log 0.25, mean and spread (ln 2)/2 -> +1, -1; label 1 mirrored; label 2 never varies -> 0.
    assert np.allclose(sn.standardise(WINDOWS), [[1, -1, 0], [-1, 1, 0]])


def test_mostly_neutral_keeps_every_neutral_clip_and_the_first_n_of_each_other_emotion():
    rows = [{"file": f"{s}/{i}", "speaker": s, "label": label}
            for s in ("a", "b") for i, label in enumerate(["sad", "neutral", "sad", "neutral", "sad", "angry"])]
    kept = sn.mostly_neutral(rows, 1)
    assert sorted((r["speaker"], r["file"]) for r in kept) == [
        ("a", "a/0"), ("a", "a/1"), ("a", "a/3"), ("a", "a/5"), ("b", "b/0"), ("b", "b/1"), ("b", "b/3"), ("b", "b/5")]


def test_a_prior_is_the_log_of_each_labels_weight_in_label_order():
    spec = "neutral=0.6,happy=0.0667,sad=0.0667,angry=0.0667,fearful=0.0667,surprised=0.0667,disgust=0.0667"
    log_prior = sn.parse_prior(spec)
    assert np.allclose(np.exp(log_prior), [0.6] + [0.0667] * 6)
    # As the service's ClassPrior: p' proportional to p * prior. A window at neutral 0.2, angry 0.3 becomes neutral.
    window = np.log([[0.2, 0.1, 0.1, 0.3, 0.1, 0.1, 0.1]])
    assert (window + log_prior).argmax() == 0 and window.argmax() == 3
