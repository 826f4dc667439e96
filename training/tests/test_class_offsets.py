"""Class offsets: the fit recovers a bias planted against one label, and the folds never see their own clips."""
import json

import numpy as np
import pytest

import class_offsets


def biased_log_probabilities(rng, n, bias):
    y = rng.integers(0, 7, n)
    logits = rng.normal(0, 1, (n, 7))
    logits[np.arange(n), y] += 2.0
    logits -= bias  # the model under-calls the labels with a positive bias
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return log_p, y


def test_the_fit_recovers_a_planted_bias_and_raises_that_labels_recall():
    bias = np.array([-0.8, 0, 1.0, 0, 0.4, 0, -0.6])
    log_p, y = biased_log_probabilities(np.random.default_rng(0), 20000, bias)
    offsets = class_offsets.fit_offsets(log_p, y)
    assert offsets == pytest.approx(bias - bias.mean(), abs=0.08)
    recall = lambda pred: (pred[y == 2] == 2).mean()  # noqa: E731
    assert recall((log_p + offsets).argmax(axis=1)) > recall(log_p.argmax(axis=1)) + 0.2


def test_each_fold_is_scored_with_offsets_fitted_on_the_others_only(tmp_path, monkeypatch, capsys):
    fitted_on = []
    monkeypatch.setattr(class_offsets, "fit_offsets", lambda log_p, y: fitted_on.append(len(y)) or np.zeros(7))
    paths = []
    for k, clips in enumerate((3, 5, 7)):
        rows = [{"speaker": f"ravdess:0{k + 1}", "label": "sad", "file": f"{k}-{i}",
                 "probabilities": dict(zip(class_offsets.LABELS, [0.1, 0.1, 0.4, 0.1, 0.1, 0.1, 0.1]))}
                for i in range(clips)] + [{"speaker": "savee:DC", "label": "sad", "file": "s", "probabilities": None}]
        paths.append(tmp_path / f"fold{k}.json")
        paths[-1].write_text(json.dumps({"clipResults": rows}))
    class_offsets.leave_one_fold_out([class_offsets.fold_clips(p) for p in paths])
    assert fitted_on == [12, 10, 8] and "15 ravdess clips" in capsys.readouterr().out
