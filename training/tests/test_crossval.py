"""The cross-validation script's own parts: the 8 kHz mu-law pack, the speaker folds, the batch crops, the runs'
options, the service-path report and the paired comparison of two evaluations."""
import argparse
import json

import numpy as np
import onnx
from onnx import numpy_helper
import pytest

import crossval
from models import N_MELS, channel_eq_db


def test_mulaw_pack_keeps_the_waveform_within_companding_error():
    rng = np.random.default_rng(0)
    wave = (0.5 * np.sin(np.arange(8000) / 5) * rng.uniform(0.1, 1, 8000)).astype(np.float32)
    back = crossval.mulaw_wave(crossval.mulaw_codes(wave))
    relative = np.abs(back - wave) / (np.abs(wave) + 1e-3)
    assert np.median(relative) < 0.02  # 8-bit mu-law: about 2-3 % of the value at most, less near zero


def test_folds_hold_each_speaker_once_and_balance_ravdess_genders():
    clips = [{"corpus": "ravdess", "speaker": f"ravdess:{a:02d}"} for a in range(1, 21)]
    folds = [crossval.fold_of(c) for c in clips]
    for k in range(crossval.N_FOLDS):
        actors = [a for a, f in zip(range(1, 21), folds) if f == k]
        assert len(actors) == 4 and sum(a % 2 for a in actors) == 2  # two men (odd), two women (even)
    assert {crossval.fold_of({"corpus": "savee", "speaker": f"savee:{s}"}) for s in ("DC", "JE", "JK", "KL")} == {0, 1, 2, 3}
    assert crossval.fold_of({"corpus": "tess", "speaker": "tess:OAF"}) != crossval.fold_of({"corpus": "tess", "speaker": "tess:YAF"})


def test_batch_crops_always_hold_the_middle_of_the_speech():
    rng = np.random.default_rng(1)
    length = 64000
    pool = np.zeros((50, 2, length), np.float16)
    spans = np.zeros((50, 2, 2), np.int64)
    for i in range(50):
        for v in range(2):
            start = int(rng.integers(0, length - 16000))
            end = start + int(rng.integers(16000, length - start + 1))
            spans[i, v] = (start, end)
            pool[i, v, (start + end) // 2] = 1.0  # a marker at the centre of the speech
    for crop in (24000, 40000, 64000):
        batch = crossval.crop_batch(pool, spans, np.arange(50), crop, rng)
        assert batch.shape == (50, crop) and (batch.max(axis=1) == 1.0).all()


def test_speaker_balanced_epochs_give_speakers_their_share_and_power_0_is_a_plain_permutation():
    speakers = ["tess:OAF"] * 1400 + [f"ravdess:{a:02d}" for a in range(1, 17) for _ in range(60)]
    train_idx = np.arange(len(speakers))
    plain = crossval.epoch_order(train_idx, None, np.random.default_rng(3))
    assert (plain == np.random.default_rng(3).permutation(train_idx)).all()
    for power, tess_share in ((0.5, 37.4 / (37.4 + 16 * 7.75)), (1.0, 1 / 17)):
        weights = crossval.speaker_weights(train_idx, speakers, power)
        assert weights.sum() == pytest.approx(1) and weights[:1400].sum() == pytest.approx(tess_share, abs=2e-3)
        drawn = crossval.epoch_order(train_idx, weights, np.random.default_rng(4))
        assert len(drawn) == len(train_idx) and (drawn < 1400).mean() == pytest.approx(tess_share, abs=0.02)


def test_the_pool_puts_the_speech_peak_in_the_runs_range(tmp_path, monkeypatch):
    monkeypatch.setattr(crossval.audio, "AUGMENTATION", {name: 0.0 for name in crossval.audio.AUGMENTATION})
    rng = np.random.default_rng(3)
    waves = [rng.uniform(-0.5, 0.5, 16000).astype(np.float32) for _ in range(4)]

    path = crossval.build_pool(waves, tmp_path, versions=3, seed=0, processes=1, speech_peak_dbfs=(-45.0, -44.0))

    peaks_dbfs = 20 * np.log10(np.abs(np.load(path).astype(np.float32)).max(axis=2))
    assert peaks_dbfs.min() >= -45.05 and peaks_dbfs.max() <= -43.95  # float16 rounding
    spans = np.load(tmp_path / "spans.npy")
    assert (spans[:, :, 1] - spans[:, :, 0] == 16000).all()  # a crop is at least 1 s: the 1-s clips stay whole


@pytest.mark.parametrize("text", ["-45", "-1,-45", "-45,3", "loud,-1"])
def test_a_speech_peak_range_must_be_low_high_at_most_0_dbfs(text):
    with pytest.raises(argparse.ArgumentTypeError):
        crossval.peak_range(text)


def test_without_calm_leaves_only_ravdess_calm_out_of_training():
    meta = [{"path": "ravdess/Actor_04/03-01-02-01-01-01-04.flac"},   # calm
            {"path": "ravdess/Actor_04/03-01-01-01-01-01-04.flac"},   # neutral
            {"path": "ravdess/Actor_04/03-01-04-02-01-01-04.flac"},   # sad
            {"path": "savee/ALL/KL_n02.flac"}]
    assert crossval.trainable_clips(argparse.Namespace(without_calm=True), meta) == [False, True, True, True]
    assert crossval.trainable_clips(argparse.Namespace(without_calm=False), meta) == [True] * 4


def test_calm_class_trains_ravdess_calm_as_an_eighth_class_and_serves_seven_labels():
    job = {"labels": [0, 0, 2, 0], "calm": [True, False, False, False]}  # calm, neutral, sad, SAVEE neutral
    assert crossval.training_labels(job, crossval.RECIPES["calm-class"]).tolist() == [7, 0, 2, 0]
    assert crossval.training_labels(job, crossval.RECIPES["balanced"]).tolist() == [0, 0, 2, 0]
    _, cnn = crossval.recipe_modules(crossval.RECIPES["calm-class"])
    assert cnn.head[-1].out_features == 8

    class FixedLogits(crossval.torch.nn.Module):
        def forward(self, features, mask):
            return crossval.torch.tensor([[0.5, 1.0, -1.0, 0.0, 2.0, -0.5, 0.3, 1.5]])

    served = crossval.serving_classifier(crossval.RECIPES["calm-class"], FixedLogits())(None, None).softmax(dim=1)[0]
    eight = FixedLogits()(None, None).softmax(dim=1)[0]
    assert served.shape == (7,)
    assert served[0].item() == pytest.approx((eight[0] + eight[7]).item())  # neutral holds calm's probability
    assert served[1:].tolist() == pytest.approx(eight[1:7].tolist())
    assert crossval.serving_classifier(crossval.RECIPES["balanced"], cnn) is cnn


def test_the_a80_recipe_builds_its_front_end_with_pcens_exponent_at_0_8_and_the_others_keep_0_98():
    frontend, _ = crossval.recipe_modules(crossval.RECIPES["bands-pcen-a80"])
    assert frontend.pcen and frontend.pcen_alpha == 0.8
    assert crossval.recipe_modules(crossval.RECIPES["bands-pcen"])[0].pcen_alpha == 0.98


@pytest.mark.parametrize("recipe", ["calm-class", "bands"])
def test_a_recipes_model_exports_with_the_seven_label_contract(tmp_path, recipe):
    _, cnn = crossval.recipe_modules(crossval.RECIPES[recipe])
    crossval.torch.save({f"{recipe}-fold3": cnn.state_dict()}, tmp_path / "weights.pt")
    (tmp_path / "crossval.json").write_text(crossval.json.dumps(
        {"epochs": 50, "folds": {"3": ["ravdess:04"]}, "recipes": {recipe: {"temperature": 1.1}}}))
    crossval.export_model(argparse.Namespace(weights=str(tmp_path / "weights.pt"), report=str(tmp_path / "crossval.json"),
                                             name=f"{recipe}-fold3", version="v", out=str(tmp_path / "c.onnx"),
                                             reference=None))
    graph = onnx.load(str(tmp_path / "c.onnx"))  # export_onnx has run onnx.checker's full check
    assert [d.dim_value for d in graph.graph.output[0].type.tensor_type.shape.dim][1:] == [7]


def _tiny_pack(folder, clips=14, speakers=2, pack_format=1):
    """A pack in the format `pack` writes (pack_format 2), or as packs before 2026-12-04 hold it (1): seven labels,
    RAVDESS actors 1..speakers, 1 s of tone each."""
    rng = np.random.default_rng(2)
    meta, codes = [], []
    for i in range(clips):
        narrow = (0.5 * np.sin(np.arange(8000) * (0.05 + 0.01 * (i % 7))) * rng.uniform(0.5, 1, 8000)).astype(np.float32)
        codes.append(crossval.mulaw_codes(narrow))
        meta.append({"path": f"{i}.wav", "corpus": "ravdess", "speaker": f"ravdess:{1 + i % speakers:02d}", "gender": "m",
                     "label": crossval.LABELS[i % 7]})
    path = folder / "ravdess.npz"
    if pack_format == crossval.PACK_FORMAT:
        crossval.write_pack(path, codes, np.ones(clips), meta)
        return path
    np.savez(path, audio=np.frombuffer(crossval.lzma.compress(np.concatenate(codes).tobytes()), np.uint8),
             peaks=np.ones(clips, np.float32), lengths=np.full(clips, 8000, np.int64), meta=np.array(crossval.json.dumps(meta)))
    return path


def test_step_coding_round_trips_every_code_and_both_pack_formats_unpack_alike(tmp_path):
    codes = np.random.default_rng(3).integers(0, 256, 10000).astype(np.uint8)
    steps = crossval.delta_codes(codes)
    assert steps.dtype == np.uint8 and np.array_equal(crossval.undelta_codes(steps), codes)
    (tmp_path / "old").mkdir(), (tmp_path / "new").mkdir()
    old_meta, old_waves = crossval.unpack(str(_tiny_pack(tmp_path / "old")))
    new_meta, new_waves = crossval.unpack(str(_tiny_pack(tmp_path / "new", pack_format=2)))
    assert old_meta == new_meta and all(np.array_equal(a, b) for a, b in zip(old_waves, new_waves))
    assert len(new_waves) == 14 and np.abs(new_waves[0]).max() > 0.1


def _run_args(tmp_path, pack, **changes):
    """`crossval.py run`'s arguments for a 1-epoch run on a tiny pack, with the test's own changes."""
    args = dict(pack=str(pack), out=str(tmp_path / "out"), work=str(tmp_path / "work"), epochs=1, versions=1,
                recipes="v2", seed=0, processes=1, threads=0, parallel=2, limit=0, final_seeds="42", final_only=False,
                calibration=None, folds=None, speech_peak_dbfs=crossval.audio.SPEECH_PEAK_DBFS, without_calm=False)
    return argparse.Namespace(**{**args, **changes})


def _record_filters(monkeypatch):
    """The front end replaced by one that records the `mel` filters each training batch passes it: the list."""
    seen = []
    monkeypatch.setattr(crossval.LogMelFrontEnd, "forward",
                        lambda self, w, mel=None: (seen.append(mel), (crossval.torch.zeros(len(w), N_MELS, 98),
                                                                      crossval.torch.ones(len(w), 98)))[1])
    return seen


def _tiny_job(folder, recipe, clips=4):
    """A training process's job over a pool of `clips` clips of noise, one version each, every clip in training."""
    length = int(crossval.POOL_SECONDS * crossval.audio.SAMPLE_RATE)
    pool = np.random.default_rng(0).normal(0, 0.1, (clips, 1, length)).astype(np.float16)
    np.save(folder / "pool.npy", pool)
    np.save(folder / "spans.npy", np.tile([[[length // 4, 3 * length // 4]]], (clips, 1, 1)))
    return {"name": "tiny", "recipe": recipe, "epochs": 1, "pool": str(folder / "pool.npy"),
            "spans": str(folder / "spans.npy"), "labels": [i % 7 for i in range(clips)], "train": list(range(clips)),
            "speakers": [f"ravdess:{1 + i % 2:02d}" for i in range(clips)], "calm": [False] * clips}


def test_final_only_trains_on_everyone_with_the_calibration_runs_temperature(tmp_path):
    calibration = tmp_path / "cv.json"
    calibration.write_text(crossval.json.dumps({"recipes": {"v2": {"temperature": 1.37}}}))
    args = _run_args(tmp_path, _tiny_pack(tmp_path), parallel=1, final_only=True, calibration=str(calibration))

    crossval.run(args)

    report = crossval.json.loads((tmp_path / "out" / "crossval.json").read_text())
    assert report["recipes"] == {"v2": {"temperature": 1.37}} and report["final_only"]
    weights = crossval.torch.load(tmp_path / "out" / "weights.pt")
    assert list(weights) == ["final-v2-s42"]  # no fold models: nothing was cross-validated
    assert weights["final-v2-s42"]["blocks.1.0.weight"].is_contiguous(memory_format=crossval.torch.channels_last)  # trained
    job = crossval.json.loads((tmp_path / "work" / "final-v2-s42.job.json").read_text())
    assert job["threads"] == crossval.os.cpu_count()  # the lone job trains on every core
    assert report["machine"] == crossval.cpu_model() and f"{crossval.os.cpu_count()} cores" in report["machine"]


def test_the_speaker_adversary_learns_the_speaker_and_pushes_the_cnn_the_other_way():
    torch = crossval.torch
    adversary = crossval.SpeakerAdversary(6, n_speakers=3).eval()  # no dropout: the two passes must match
    embedding = torch.randn(4, 6, requires_grad=True)
    adversary(embedding, 0.5).sum().backward()
    reversed_grad = embedding.grad.clone()
    embedding.grad = None
    adversary.net(embedding).sum().backward()  # the same head without the reversal
    assert torch.allclose(reversed_grad, -0.5 * embedding.grad)
    assert all(p.grad is not None for p in adversary.parameters())  # the adversary itself learns as usual


def test_the_adversary_catches_up_alone_and_leaves_the_cnn_as_it_was():
    torch = crossval.torch
    torch.manual_seed(0)
    cnn_layer = torch.nn.Linear(4, 6)  # stands in for the CNN beneath the pooled features
    adversary = crossval.SpeakerAdversary(6, n_speakers=3, dropout=0.0)
    embedding, speaker = cnn_layer(torch.randn(12, 4)), torch.arange(12) % 3
    before = cnn_layer.weight.detach().clone()
    loss = lambda: torch.nn.functional.cross_entropy(adversary(embedding, 0.0), speaker).item()  # noqa: E731
    start = loss()

    crossval.adversary_catch_up(adversary, torch.optim.AdamW(adversary.parameters(), lr=1e-2), embedding, speaker, 20)

    assert loss() < start
    assert torch.equal(cnn_layer.weight, before) and cnn_layer.weight.grad is None


def test_the_adversarys_weight_ramps_from_0_to_the_recipes():
    ramp = [crossval.adversary_scale(0.3, p) for p in np.linspace(0, 1, 11)]
    assert ramp[0] == 0 and ramp[-1] == pytest.approx(0.3, abs=1e-4) and np.all(np.diff(ramp) > 0)
    ids, n = crossval.speaker_indices(["savee:KL", "ravdess:04", "savee:KL"])
    assert n == 2 and ids[0] == ids[2] != ids[1]


@pytest.mark.parametrize("recipe", ["adversary", "adversary-strong", "vtlp", "bands"])
def test_a_run_with_training_only_parts_saves_only_the_cnn_which_serves_as_before(tmp_path, recipe):
    calibration = tmp_path / "cv.json"
    calibration.write_text(crossval.json.dumps({"recipes": {recipe: {"temperature": 1.0}}}))
    args = _run_args(tmp_path, _tiny_pack(tmp_path), recipes=recipe, parallel=1, final_only=True,
                     calibration=str(calibration))

    crossval.run(args)

    weights = crossval.torch.load(tmp_path / "out" / "weights.pt")[f"final-{recipe}-s42"]
    _, cnn = crossval.recipe_modules(crossval.RECIPES[recipe])
    assert set(weights) == set(cnn.state_dict())  # no adversary or warped filters saved: the export is v5's graph
    cnn.load_state_dict(weights)
    features, mask = crossval.torch.randn(2, N_MELS, 50), crossval.torch.ones(2, 50)
    cnn.eval()
    assert crossval.torch.equal(cnn(features, mask), cnn.head(cnn.embed(features, mask)))


def test_vtlp_draws_each_examples_filters_from_evenly_spaced_stretches_and_other_recipes_keep_the_graphs():
    assert crossval.vtlp_filterbanks(crossval.RECIPES["balanced"], crossval.N_USED_BINS) is None
    banks = crossval.vtlp_filterbanks(crossval.RECIPES["vtlp"], crossval.N_USED_BINS)
    assert banks.shape == (crossval.VTLP_STEPS, crossval.N_USED_BINS, N_MELS)
    middle = banks[crossval.VTLP_STEPS // 2].numpy()
    assert np.array_equal(middle, crossval.mel_filterbank()[:crossval.N_USED_BINS])  # the middle: factor 1
    assert not crossval.torch.equal(banks[0], banks[-1])


def test_a_vtlp_batch_passes_each_example_its_own_filters(tmp_path, monkeypatch):
    frontend = crossval.LogMelFrontEnd()
    banks = crossval.vtlp_filterbanks(crossval.RECIPES["vtlp"], frontend.bins)
    wave = crossval.torch.randn(2, 16000)
    together = frontend.mel_power(wave, banks[[0, 20]])
    assert crossval.torch.allclose(together[0], frontend.mel_power(wave[:1], banks[[0]])[0], rtol=1e-4, atol=1e-3)
    assert crossval.torch.allclose(together[1], frontend.mel_power(wave[1:], banks[[20]])[0], rtol=1e-4, atol=1e-3)
    assert not crossval.torch.allclose(together[0], frontend.mel_power(wave[:1])[0], rtol=1e-2)
    seen = _record_filters(monkeypatch)
    job = _tiny_job(tmp_path, "vtlp")
    crossval.train_model(job, "cpu")
    assert seen and all(m is not None and m.shape == (len(job["train"]), frontend.bins, N_MELS) for m in seen)


def test_training_threads_share_the_cores_among_the_jobs_that_run_at_once():
    assert crossval.threads_per_job(0, parallel=2, jobs=1, cores=2) == 2   # a final with one seed: both cores
    assert crossval.threads_per_job(0, parallel=2, jobs=2, cores=2) == 1   # two folds side by side
    assert crossval.threads_per_job(0, parallel=6, jobs=5, cores=16) == 3  # five folds at once on a GPU machine
    assert crossval.threads_per_job(0, parallel=2, jobs=8, cores=1) == 1
    assert crossval.threads_per_job(1, parallel=1, jobs=1, cores=2) == 1   # --threads wins


def test_some_folds_train_only_those_folds_and_no_final_model(tmp_path, monkeypatch):
    monkeypatch.setattr(crossval.audio, "AUGMENTATION", {name: 0.0 for name in crossval.audio.AUGMENTATION})  # no noise
    args = _run_args(tmp_path, _tiny_pack(tmp_path, clips=28), folds="0", speech_peak_dbfs=(-60.0, -60.0))

    crossval.run(args)

    report = crossval.json.loads((tmp_path / "out" / "crossval.json").read_text())
    assert report["some_folds"] == [0] and list(report["recipes"]["v2"]["folds"]) == ["0"]
    assert report["speech_peak_dbfs"] == [-60.0, -60.0]  # the run's augmentation, recorded with its figures...
    peaks_dbfs = 20 * np.log10(np.abs(np.load(tmp_path / "work" / "pool.npy").astype(np.float32)).max(axis=2))
    assert np.allclose(peaks_dbfs, -60.0, atol=0.05)  # ...and used: every example's speech peak is at -60 dBFS
    assert report["folds"] == {"0": ["ravdess:01"]}  # fold 0 holds RAVDESS actor 01 (and 06, 11, 16)
    assert list(crossval.torch.load(tmp_path / "out" / "weights.pt")) == ["v2-fold0"]
    assert 0.5 <= report["recipes"]["v2"]["temperature"] < 5.0  # fitted on fold 0's clips, for a final's --calibration


def test_the_fitted_temperature_undoes_an_overconfident_model():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 1.5, (4000, 7))
    truth = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(7, p=p) for p in truth])
    overconfident = np.exp(2 * logits) / np.exp(2 * logits).sum(axis=1, keepdims=True)  # logits twice too large
    probs = {v: overconfident for v in crossval.EVAL_VARIATIONS}
    assert crossval.fit_temperature(probs, y) == pytest.approx(2.0, abs=0.15)


def test_empty_final_seeds_cross_validate_and_calibrate_without_a_final_model(tmp_path):
    args = _run_args(tmp_path, _tiny_pack(tmp_path, clips=35, speakers=5), final_seeds="")

    crossval.run(args)

    report = crossval.json.loads((tmp_path / "out" / "crossval.json").read_text())
    assert report["best_recipe"] == "v2" and 0.5 <= report["recipes"]["v2"]["temperature"] < 5.0
    assert list(crossval.torch.load(tmp_path / "out" / "weights.pt")) == [f"v2-fold{k}" for k in range(5)]


def test_a_second_run_on_the_same_work_folder_keeps_the_trained_folds(tmp_path, monkeypatch):
    args = _run_args(tmp_path, _tiny_pack(tmp_path, clips=28), folds="0")
    crossval.run(args)
    first = crossval.torch.load(tmp_path / "out" / "weights.pt")["v2-fold0"]

    def no_training(*_, **__):
        raise AssertionError("a kept fold was trained again")
    monkeypatch.setattr(crossval.subprocess, "Popen", no_training)
    crossval.run(args)

    again = crossval.torch.load(tmp_path / "out" / "weights.pt")["v2-fold0"]
    assert all(crossval.torch.equal(first[k], again[k]) for k in first)


def _rows(labels, predictions, speaker="ravdess:05"):
    return [{"file": f"{speaker}-clip{i}.flac", "speaker": speaker, "label": label, "predictions": {"clean": predicted}}
            for i, (label, predicted) in enumerate(zip(labels, predictions))]


def _evaluation(path, labels, predictions, speaker="ravdess:05", more_rows=()):
    path.write_text(json.dumps({"clipResults": _rows(labels, predictions, speaker) + list(more_rows)}))
    return str(path)


def test_paired_comparison_counts_the_clips_only_one_model_got_right(tmp_path):
    labels = ["sad"] * 10
    a = _evaluation(tmp_path / "a.json", labels, ["sad"] * 8 + ["neutral"] * 2)
    b = _evaluation(tmp_path / "b.json", labels, ["sad"] * 2 + ["neutral"] * 8)
    report = crossval.paired_comparison(argparse.Namespace(a=a, b=b, corpus=None, out=None))["clean"]
    assert (report["accuracy_a"], report["accuracy_b"], report["only_a"], report["only_b"]) == (0.8, 0.2, 6, 0)
    assert report["mcnemar_p"] == pytest.approx(2 / 2 ** 6)  # exact two-sided: 6 of 6 discordant clips one way


def test_paired_comparison_refuses_evaluations_of_different_clips(tmp_path):
    a = _evaluation(tmp_path / "a.json", ["sad"] * 3, ["sad"] * 3)
    b = _evaluation(tmp_path / "b.json", ["sad"] * 2, ["sad"] * 2)
    with pytest.raises(SystemExit):
        crossval.paired_comparison(argparse.Namespace(a=a, b=b, corpus=None, out=None))


def test_paired_comparison_of_one_corpus_leaves_the_other_corpora_out(tmp_path):
    ravdess_only = _evaluation(tmp_path / "a.json", ["sad"] * 2, ["sad", "neutral"], "ravdess:04")
    two_corpora = _evaluation(tmp_path / "b.json", ["sad"] * 2, ["neutral", "neutral"], "ravdess:04",
                              more_rows=_rows(["sad"], ["sad"], "savee:KL"))
    report = crossval.paired_comparison(argparse.Namespace(a=ravdess_only, b=two_corpora, corpus="ravdess", out=None))
    assert (report["clean"]["accuracy_a"], report["clean"]["accuracy_b"], report["clean"]["only_a"]) == (0.5, 0.0, 1)


def test_paired_comparison_pools_one_evaluation_per_fold(tmp_path):
    a = ",".join([_evaluation(tmp_path / "a0.json", ["sad"] * 2, ["sad"] * 2, "ravdess:01"),
                  _evaluation(tmp_path / "a1.json", ["sad"] * 2, ["sad", "neutral"], "ravdess:02")])
    b = ",".join([_evaluation(tmp_path / "b0.json", ["sad"] * 2, ["neutral"] * 2, "ravdess:01"),
                  _evaluation(tmp_path / "b1.json", ["sad"] * 2, ["sad", "neutral"], "ravdess:02")])
    report = crossval.paired_comparison(argparse.Namespace(a=a, b=b, corpus=None, out=None))["clean"]
    assert (report["accuracy_a"], report["accuracy_b"], report["only_a"], report["only_b"]) == (0.75, 0.25, 2, 0)
    with pytest.raises(SystemExit, match="appear twice"):
        crossval.paired_comparison(argparse.Namespace(a=a + "," + a.split(",")[0], b=b, corpus=None, out=None))


def test_service_report_pools_the_folds_and_gives_each_corpus_its_own_figures(tmp_path):
    ravdess = _evaluation(tmp_path / "fold3-ravdess.json", ["sad"] * 4, ["sad"] * 3 + ["neutral"], "ravdess:04")
    savee = _evaluation(tmp_path / "fold3-savee.json", ["angry", "sad"], ["angry", "neutral"], "savee:KL")
    out = tmp_path / "service.json"
    crossval.service_report(argparse.Namespace(inputs=[ravdess, savee], out=str(out)))
    report = json.loads(out.read_text())
    assert report["clips"] == 6 and report["speakers"] == ["ravdess:04", "savee:KL"]
    assert report["variations"]["clean"]["accuracy"] == pytest.approx(4 / 6)
    assert report["corpora"]["ravdess"]["clean"]["accuracy"] == 0.75
    assert report["corpora"]["savee"]["clean"]["accuracy"] == 0.5
    assert report["corpora"]["savee"]["clean"]["recall"] == {"sad": 0.0, "angry": 1.0}
    assert report["corpora_clean_by_speaker"]["ravdess"]["accuracy"] == {"ravdess:04": 0.75}


def test_speaker_spread_resamples_speakers_not_clips():
    rows = (_rows(["sad"] * 4, ["sad"] * 4, "ravdess:01") + _rows(["sad"] * 4, ["neutral"] * 4, "ravdess:02")
            + _rows(["sad"] * 2, ["sad", "neutral"], "ravdess:03"))
    spread = crossval.speaker_spread(rows, draws=2000)
    assert spread["accuracy"] == {"ravdess:01": 1.0, "ravdess:02": 0.0, "ravdess:03": 0.5}
    low, high = spread["bootstrap_95"]
    # Draws of only speaker 02 or only speaker 01 (1 in 27 each) put the interval's ends at 0 and 1; clip resampling
    # of the pooled 5 / 10 would almost never reach them.
    assert (low, high) == (0.0, 1.0)
    one_speaker = crossval.speaker_spread(_rows(["sad"] * 4, ["sad"] * 3 + ["neutral"], "ravdess:01"), draws=100)
    assert one_speaker["bootstrap_95"] == [0.75, 0.75]


def test_fold_speakers_are_read_from_the_run_and_filtered_by_corpus(tmp_path, capsys):
    run = tmp_path / "crossval.json"
    run.write_text(json.dumps({"folds": {"3": ["ravdess:04", "ravdess:09", "savee:KL", "tess:YAF"]}}))
    crossval.fold_speakers(argparse.Namespace(report=str(run), fold=3, corpora="ravdess tess"))
    assert capsys.readouterr().out.strip() == "ravdess:04,ravdess:09,tess:YAF"
    with pytest.raises(SystemExit):
        crossval.fold_speakers(argparse.Namespace(report=str(run), fold=3, corpora="crema-d"))


def test_speech_level_is_the_power_of_the_loudest_third_of_the_recording():
    tone = 0.1 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    recording = np.concatenate([tone, np.zeros(32000)]).astype(np.float32)  # the tone is the loudest third
    assert crossval.audio.speech_level_dbfs(recording) == pytest.approx(20 * np.log10(0.1) - 3.01, abs=0.01)
    assert crossval.audio.speech_level_dbfs(np.ones(16000, np.float32)) == pytest.approx(0.0, abs=1e-6)  # full-scale square


def test_noise_snr_bands_each_clip_by_its_speech_level_under_the_noise(tmp_path):
    import soundfile
    rows = []
    for name, amplitude, right_in_noise, speaker in (("loud", 10 ** (-17 / 20), True, "ravdess:04"),
                                                     ("quiet", 10 ** (-47 / 20), False, "ravdess:04"),
                                                     ("other", 10 ** (-47 / 20), True, "savee:KL")):
        tone = amplitude * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)  # speech level = amplitude - 3 dB
        soundfile.write(tmp_path / f"{name}.wav", tone.astype(np.float32), 16000)
        rows.append({"file": f"{name}.wav", "speaker": speaker, "label": "sad",
                     "predictions": {"clean": "sad", "padded+noise-35dBFS": "sad" if right_in_noise else "neutral"}})
    evaluated = tmp_path / "fold3.json"
    evaluated.write_text(json.dumps({"folder": str(tmp_path), "clipResults": rows}))

    report = crossval.noise_snr(argparse.Namespace(inputs=[str(evaluated)], corpus="ravdess", out=None))

    level = report["noise_levels"]["padded+noise-35dBFS"]
    assert level["snr_median_db"] == pytest.approx(0, abs=0.1)  # +15 (loud, -20 dBFS) and -15 (quiet, -50 dBFS)
    assert level["bands"] == [
        {"snr_db": [None, -5.0], "clips": 1, "clean_accuracy": 1.0, "accuracy": 0.0},   # quiet: 15 dB under the noise
        {"snr_db": [10.0, None], "clips": 1, "clean_accuracy": 1.0, "accuracy": 1.0}]   # loud: 15 dB over it


def test_noise_snr_bands_are_half_open_and_a_corpus_without_clips_is_an_error(tmp_path):
    import soundfile
    tone = 10 ** (-27 / 20) * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)  # speech level -30 dBFS
    soundfile.write(tmp_path / "edge.wav", tone.astype(np.float32), 16000)
    rows = [{"file": "edge.wav", "speaker": "ravdess:04", "label": "sad",
             "predictions": {"clean": "sad", "padded+noise-35dBFS": "sad"}}]
    evaluated = tmp_path / "fold3.json"
    evaluated.write_text(json.dumps({"folder": str(tmp_path), "clipResults": rows}))

    report = crossval.noise_snr(argparse.Namespace(inputs=[str(evaluated)], corpus="", out=None))

    assert report["noise_levels"]["padded+noise-35dBFS"]["bands"][0]["snr_db"] == [5.0, 10.0]  # 5.0 dB: in [5, 10)
    with pytest.raises(SystemExit):
        crossval.noise_snr(argparse.Namespace(inputs=[str(evaluated)], corpus="RAVDESS", out=None))


def test_export_joins_two_seeds_of_a_fold_into_one_graph(tmp_path):
    crossval.torch.manual_seed(0)
    names = ["balanced-fold3", "balanced-s7-fold3"]
    crossval.torch.save({name: crossval.EmotionCNN().state_dict() for name in names}, tmp_path / "weights.pt")
    report = {"epochs": 50, "folds": {"3": ["ravdess:04", "tess:YAF"]},
              "recipes": {"balanced": {"temperature": 1.2}, "balanced-s7": {"temperature": 1.0}}}
    (tmp_path / "crossval.json").write_text(crossval.json.dumps(report))
    args = argparse.Namespace(weights=str(tmp_path / "weights.pt"), report=str(tmp_path / "crossval.json"),
                              name="+".join(names), version="crossval-ensemble-fold3", out=str(tmp_path / "e.onnx"),
                              reference=None)

    crossval.export_model(args)

    graph = onnx.load(str(tmp_path / "e.onnx"))
    meta = {p.key: p.value for p in graph.metadata_props}
    assert "recipe balanced," in meta["training_data"] and "recipe balanced-s7," in meta["training_data"]
    assert meta["training_data"].endswith("held out: ravdess:04, tess:YAF")
    assert meta["model_version"] == "crossval-ensemble-fold3"
    temperatures = [t for t in graph.graph.initializer if t.name.endswith("temperature")]
    assert [numpy_helper.to_array(t).item() for t in temperatures] == [pytest.approx(1.2), pytest.approx(1.0)]  # each its own
    crossval.export_model(argparse.Namespace(**{**vars(args), "name": names[0], "out": str(tmp_path / "one.onnx")}))
    one = onnx.load(str(tmp_path / "one.onnx"))
    cnn_bytes = sum(p.numel() * 4 for p in crossval.EmotionCNN().parameters())
    assert graph.ByteSize() - one.ByteSize() > 0.9 * cnn_bytes  # the second member's weights are in the graph
    assert graph.ByteSize() < 5_000_000  # still within the size budget
    with pytest.raises(SystemExit):  # members of two folds: one would be scored on speakers it trained on
        crossval.export_model(argparse.Namespace(**{**vars(args), "name": "balanced-fold3+balanced-s7-fold4"}))


def test_a_colouring_tilts_about_1_khz_and_ripples_across_the_band():
    hz = np.array([0.0, 62.5, 500.0, 1000.0, 2000.0, 4000.0])
    assert np.allclose(channel_eq_db(hz, 0.0, [0.0, 0.0, 0.0]), 0.0)
    assert np.allclose(channel_eq_db(hz, 3.0, [0.0, 0.0, 0.0]), [-12, -12, -3, 0, 3, 6])
    assert np.allclose(channel_eq_db(hz[[0, -1]], 0.0, [2.0, 0.0, 0.0]), [2, -2])   # cos(0), cos(pi)
    gains = crossval.channel_eq_gains(2000, crossval.N_USED_BINS, np.random.default_rng(1))
    db = 10 * np.log10(gains)
    flat = np.abs(db).max(axis=1) < 1e-6
    assert gains.shape == (2000, crossval.N_USED_BINS) and abs(flat.mean() - 0.2) < 0.03
    assert np.abs(db).max() <= 4 * 3 + 3 * 3 + 1e-4 and np.percentile(db.max(1) - db.min(1), 50) > 5


def test_an_eq_batch_passes_each_example_its_own_coloured_filters_and_other_recipes_none(tmp_path, monkeypatch):
    seen = _record_filters(monkeypatch)
    crossval.train_model(_tiny_job(tmp_path, "bands"), "cpu")
    assert seen and all(m is None for m in seen)
    seen.clear()
    job = _tiny_job(tmp_path, "bands-eq")
    crossval.train_model(job, "cpu")
    base = crossval.torch.from_numpy(crossval.mel_filterbank()[:crossval.N_USED_BINS])
    assert seen and all(m.shape == (len(job["train"]), crossval.N_USED_BINS, N_MELS) for m in seen)
    rows = base.sum(dim=1) > 0
    ratio = seen[0][:, rows] / base[rows]   # each bin's gain, the same in every filter that reads the bin
    gain = seen[0][:, rows].sum(dim=2) / base[rows].sum(dim=1)
    reads = (base[rows] > 0)[None].expand_as(ratio)
    assert crossval.torch.allclose(ratio[reads], gain[:, :, None].expand_as(ratio)[reads], rtol=1e-4)
    assert not crossval.torch.allclose(seen[0][0], base)   # a colouring drawn (4 examples: 0.2 ** 4 that none is)


def test_weight_averaging_keeps_v7s_trajectory_and_serves_the_mean_of_the_last_epochs(tmp_path, monkeypatch):
    monkeypatch.setitem(crossval.RECIPES, "bands-pcen-swa", {**crossval.RECIPES["bands-pcen-swa"], "average_epochs": 2})
    snapshots = []
    add = crossval.WeightAverage.add
    monkeypatch.setattr(crossval.WeightAverage, "add",
                        lambda self, model: (snapshots.append({k: v.clone() for k, v in model.state_dict().items()}),
                                             add(self, model)))
    job = dict(_tiny_job(tmp_path, "bands-pcen"), epochs=3, weights=str(tmp_path / "tiny.pt"))
    _, plain = crossval.train_model(job, "cpu")
    _, averaged = crossval.train_model(dict(job, recipe="bands-pcen-swa"), "cpu")

    last = crossval.torch.load(tmp_path / "last" / "tiny.pt")
    assert all(crossval.torch.equal(last[k], v) for k, v in plain.state_dict().items())  # the same seed, the same path
    assert len(snapshots) == 2  # epochs 2 and 3
    for name, value in averaged.state_dict().items():
        if name.endswith(("running_mean", "running_var", "num_batches_tracked")):
            continue  # measured again over a training epoch
        mean = (snapshots[0][name].double() + snapshots[1][name].double()) / 2
        assert crossval.torch.allclose(value.double(), mean, atol=1e-6), name
    assert not crossval.torch.equal(averaged.state_dict()["blocks.0.0.weight"], last["blocks.0.0.weight"])


def test_a_held_learning_rate_follows_v7s_schedule_until_the_averaged_epochs_then_stays_where_it_was(tmp_path,
                                                                                                     monkeypatch):
    monkeypatch.setitem(crossval.RECIPES, "bands-pcen-swa-hold",
                        {**crossval.RECIPES["bands-pcen-swa-hold"], "average_epochs": 2})
    rates = []
    step = crossval.torch.optim.AdamW.step
    monkeypatch.setattr(crossval.torch.optim.AdamW, "step",
                        lambda self, *a, **k: (rates.append(self.param_groups[0]["lr"]), step(self, *a, **k))[1])
    job = dict(_tiny_job(tmp_path, "bands-pcen"), epochs=4, weights=str(tmp_path / "tiny.pt"))
    crossval.train_model(job, "cpu")
    plain, rates[:] = list(rates), []
    crossval.train_model(dict(job, recipe="bands-pcen-swa-hold"), "cpu")

    per_epoch = len(plain) // 4
    held = rates[2 * per_epoch:]
    assert rates[:2 * per_epoch + 1] == plain[:2 * per_epoch + 1]  # epochs 1-2 and epoch 3's first step: v7's schedule
    assert len(set(held)) == 1 and held[0] > 0.1 * max(plain)  # then held, well above where the anneal ends
    assert plain[-1] < 0.01 * max(plain)


def test_batch_norm_is_recomputed_as_the_plain_mean_over_the_batches_and_keeps_its_momentum():
    class Masked(crossval.torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = crossval.torch.nn.BatchNorm1d(3)

        def forward(self, features, mask):
            return self.norm(features * mask)

    model = Masked()
    batches = [(crossval.torch.full((4, 3), float(k)), crossval.torch.ones(4, 1)) for k in (1, 2, 6)]
    crossval.recompute_batch_norm(model, iter(batches))

    assert crossval.torch.allclose(model.norm.running_mean, crossval.torch.full((3,), 3.0))  # (1 + 2 + 6) / 3
    assert model.norm.momentum == 0.1 and not model.training
