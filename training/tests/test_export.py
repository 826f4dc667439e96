"""ONNX export round trip: opset 17, the label contract in the metadata, dynamic length, probabilities sum to 1."""
import json

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

import export
from corpora import LABELS
from models import (N_BINS, N_MELS, N_USED_BINS, EmotionCNN, LogMelFrontEnd, ServingModel, StatisticsBaseline,
                    mel_filterbank, training_layout)


def test_exported_graphs_carry_the_contract(tmp_path):
    torch.manual_seed(0)
    models = {"cnn": ServingModel(LogMelFrontEnd(), EmotionCNN(), temperature=1.5).eval(),
              "baseline": ServingModel(LogMelFrontEnd(), StatisticsBaseline()).eval()}
    summary = {"corpora": {"ravdess": {"train": 10, "validation": 2, "test": 3}},
               "split": {"test": ["ravdess:01"]}}
    files = export.export_all(models, "cnn-test-1", summary, tmp_path)
    assert set(files) == {"emotion-cnn.onnx", "emotion-baseline.onnx"}
    for name in ("cnn", "baseline"):
        graph = onnx.load(str(tmp_path / f"emotion-{name}.onnx"))
        onnx.checker.check_model(graph, full_check=True)
        assert graph.opset_import[0].version == 17
        meta = {p.key: p.value for p in graph.metadata_props}
        assert meta["labels"] == ",".join(LABELS) == "neutral,happy,sad,angry,fearful,surprised,disgust"
        assert meta["sample_rate"] == "16000" and meta["min_samples"] == "8000"
        assert meta["model_version"] == ("cnn-test-1" if name == "cnn" else "baseline-test-1")
        (inp,), (out,) = graph.graph.input, graph.graph.output
        assert inp.name == "waveform" and out.name == "probabilities"
        assert [d.dim_param for d in inp.type.tensor_type.shape.dim] == ["batch", "samples"]
        assert out.type.tensor_type.shape.dim[1].dim_value == 7
        assert graph.ByteSize() < 5_000_000

    cases = json.loads((tmp_path / "reference" / "cases.json").read_text())["cases"]
    assert len(cases) == 4 and len({c["samples"] for c in cases}) == 4  # several lengths
    for case in cases:
        wave = np.fromfile(tmp_path / "reference" / case["input"], dtype="<f4")
        assert len(wave) == case["samples"] >= 8000
        for name, model in models.items():
            assert abs(sum(case[name]) - 1) < 1e-5
            with torch.no_grad():
                again = model(torch.from_numpy(wave)[None])[0].numpy()
            assert np.allclose(again, case[name], atol=1e-6)  # the file holds exactly what torch computes


def test_a_cnn_trained_channels_last_gives_the_same_logits_and_exports_the_same_graph(tmp_path):
    torch.manual_seed(0)
    plain = EmotionCNN().eval()
    laid_out = training_layout(EmotionCNN()).eval()
    laid_out.load_state_dict(plain.state_dict())
    # block 1's weight: block 0's, with one input channel, counts as channels-last in either layout
    assert laid_out.blocks[1][0].weight.is_contiguous(memory_format=torch.channels_last)
    assert not plain.blocks[1][0].weight.is_contiguous(memory_format=torch.channels_last)
    features, mask = torch.randn(3, N_MELS, 200), torch.rand(3, 200)
    with torch.no_grad():
        assert torch.allclose(laid_out(features, mask), plain(features, mask), atol=1e-5)
    graphs = []
    for name, cnn in (("plain", plain), ("laid-out", laid_out)):  # train.py exports the CNN it trained as it is
        export.export_onnx(ServingModel(LogMelFrontEnd(), cnn).eval(), tmp_path / f"{name}.onnx", {})
        graphs.append(onnx.load(str(tmp_path / f"{name}.onnx")).graph)
    assert [n.op_type for n in graphs[0].node] == [n.op_type for n in graphs[1].node]
    weights = [{i.name: numpy_helper.to_array(i) for i in g.initializer} for g in graphs]
    assert weights[0].keys() == weights[1].keys()
    assert all(np.array_equal(weights[0][k], weights[1][k]) for k in weights[0])


def test_cnn_takes_any_length_and_batch():
    model = ServingModel(LogMelFrontEnd(), EmotionCNN()).eval()
    with torch.no_grad():
        for samples in (8000, 16000 * 3, 12345):
            probs = model(torch.randn(2, samples) * 0.1)
            assert probs.shape == (2, 7)
            assert torch.allclose(probs.sum(1), torch.ones(2), atol=1e-5)


def exported(model, path, version, held_out="none"):
    export.export_onnx(model, path, {"labels": ",".join(LABELS), "sample_rate": 16000, "min_samples": 8000,
                                     "model_kind": "cnn", "opset": export.OPSET, "model_version": version,
                                     "training_data": f"recipe x; held out: {held_out}"})
    return onnx.load(str(path))


def test_a_joined_graph_runs_each_member_on_the_one_waveform_and_averages_their_log_probabilities(tmp_path):
    torch.manual_seed(0)
    a = ServingModel(LogMelFrontEnd(pcen=True), EmotionCNN(keep_bands=True), 1.03).eval()
    b = ServingModel(LogMelFrontEnd(pcen=True, pcen_alpha=0.8), EmotionCNN(keep_bands=True), 1.2).eval()
    members = [exported(a, tmp_path / "a.onnx", "cnn-a"), exported(b, tmp_path / "b.onnx", "cnn-b")]

    joined = export.join_graphs(members, "cnn-joined")

    assert [i.name for i in joined.graph.input] == ["waveform"] and [o.name for o in joined.graph.output] == ["probabilities"]
    assert len(joined.graph.initializer) == sum(len(m.graph.initializer) for m in members) + 1  # + the share 1/2
    inputs = {name for node in joined.graph.node for name in node.input}
    assert "waveform" in inputs and not any(name.endswith("/waveform") for name in inputs)
    for i, member in enumerate(members):  # each member whole, under its own prefix: its front end too
        assert {f"member{i}/{n.name}" for n in member.graph.node} <= {n.name for n in joined.graph.node}
    assert [n.op_type for n in joined.graph.node[-3:]] == ["Sum", "Mul", "Softmax"]
    assert sorted(joined.graph.node[-3].input) == ["member0/log_probabilities", "member1/log_probabilities"]
    assert {n.output[0]: n.op_type for n in joined.graph.node}["member1/log_probabilities"] == "Log"
    temperatures = {t.name: numpy_helper.to_array(t).item() for t in joined.graph.initializer if t.name.endswith("temperature")}
    assert temperatures == {"member0/temperature": pytest.approx(1.03), "member1/temperature": pytest.approx(1.2)}
    meta = {p.key: p.value for p in joined.metadata_props}
    assert meta["model_version"] == "cnn-joined" and meta["labels"] == ",".join(LABELS) and meta["min_samples"] == "8000"
    assert "cnn-a: recipe x" in meta["training_data"] and "cnn-b: recipe x" in meta["training_data"]


def test_what_a_joined_graph_answers_is_the_mean_of_its_members_logits_each_over_its_temperature():
    torch.manual_seed(0)
    a = ServingModel(LogMelFrontEnd(), EmotionCNN(), 1.0).eval()
    b = ServingModel(LogMelFrontEnd(pcen=True), EmotionCNN(keep_bands=True), 1.7).eval()
    with torch.no_grad():
        wave = torch.randn(1, 16000) * 0.1
        logits = (a.classifier(*a.frontend(wave)) / 1.0 + b.classifier(*b.frontend(wave)) / 1.7) / 2
        expected = torch.softmax(logits, dim=1)[0].double().numpy()
        joined = export.join_probabilities([a(wave)[0], b(wave)[0]])
        alone = export.join_probabilities([a(wave)[0]])
    assert np.allclose(joined, expected, atol=1e-6) and joined.sum() == pytest.approx(1.0)
    assert np.allclose(alone, a(wave)[0].detach().numpy(), atol=1e-6)
    assert not np.allclose(joined, alone, atol=1e-3)


@pytest.mark.parametrize("other", [{"labels": "neutral,happy"}, {"held_out": "ravdess:04"}], ids=["labels", "held-out"])
def test_graphs_that_disagree_on_the_contract_or_their_held_out_speakers_are_not_joined(tmp_path, other):
    torch.manual_seed(0)
    model = ServingModel(LogMelFrontEnd(), EmotionCNN()).eval()
    first = exported(model, tmp_path / "a.onnx", "cnn-a")
    second = exported(model, tmp_path / "b.onnx", "cnn-b", other.get("held_out", "none"))
    if "labels" in other:
        next(p for p in second.metadata_props if p.key == "labels").value = other["labels"]
    with pytest.raises(ValueError, match="labels" if "labels" in other else "hold out"):
        export.join_graphs([first, second], "cnn-joined")


def test_trimming_an_old_graphs_front_end_gives_the_graph_a_fresh_export_makes(tmp_path):
    torch.manual_seed(0)
    cnn = EmotionCNN().eval()
    export.export_onnx(ServingModel(LogMelFrontEnd(bins=N_BINS), cnn, 1.19).eval(), tmp_path / "old.onnx", {})
    export.export_onnx(ServingModel(LogMelFrontEnd(), cnn, 1.19).eval(), tmp_path / "new.onnx", {})
    old, new = onnx.load(str(tmp_path / "old.onnx")), onnx.load(str(tmp_path / "new.onnx"))
    assert old.graph.node != new.graph.node  # the old graph slices the spectrum at 201 bins

    trimmed = export.trim_front_end(old)

    assert trimmed.graph.node == new.graph.node
    tensors = {t.name: numpy_helper.to_array(t) for t in new.graph.initializer}
    assert {t.name: numpy_helper.to_array(t).shape for t in trimmed.graph.initializer} == {k: v.shape for k, v in tensors.items()}
    for t in trimmed.graph.initializer:
        assert np.array_equal(numpy_helper.to_array(t), tensors[t.name]), t.name
    with pytest.raises(ValueError, match="already computes 101 bins"):
        export.trim_front_end(new)  # nothing left to cut
    unknown = onnx.load(str(tmp_path / "old.onnx"))  # one Slice bound moved: not a graph the trim knows
    bound = next(n for n in unknown.graph.node
                 if n.op_type == "Constant" and numpy_helper.to_array(n.attribute[0].t).tolist() == [N_BINS])
    bound.attribute[0].t.CopyFrom(numpy_helper.from_array(np.array([N_BINS + 1], dtype=np.int64)))
    with pytest.raises(ValueError, match="found 1 such bounds"):
        export.trim_front_end(unknown)
    assert [t.dims for t in unknown.graph.initializer if t.name == "frontend.dft"] == [[2 * N_BINS, 1, 400]]  # untouched


def test_the_trimmed_front_end_gives_the_full_ones_features():
    wave = torch.randn(2, 16000 * 3) * 0.1
    full, trimmed = LogMelFrontEnd(bins=N_BINS)(wave), LogMelFrontEnd()(wave)
    assert trimmed[0].shape == full[0].shape and LogMelFrontEnd().dft.shape[0] == 2 * N_USED_BINS and N_USED_BINS < N_BINS
    assert not mel_filterbank()[N_USED_BINS:].any()  # the bins left out carry no mel weight
    assert torch.allclose(trimmed[0], full[0], atol=1e-4) and torch.allclose(trimmed[1], full[1], atol=1e-5)


@pytest.mark.parametrize("plane", [False, True], ids=["pcen", "pcen-plane"])
def test_a_pcen_graph_exports_to_opset_17(tmp_path, plane):
    """The pcen recipes' front end (replicate pad, two 20-tap convolutions per band, the second dilated), alone or as a second plane beside
    the log-mel, passes the checker's full check; ONNX Runtime runs it in the service (`training/service_crossval.sh`
    scores such fold graphs through C#)."""
    torch.manual_seed(0)
    model = ServingModel(LogMelFrontEnd(pcen=not plane, pcen_plane=plane),
                         EmotionCNN(keep_bands=True, planes=2 if plane else 1), 1.2).eval()
    export.export_onnx(model, tmp_path / "pcen.onnx", {})
    graph = onnx.load(str(tmp_path / "pcen.onnx"))
    onnx.checker.check_model(graph, full_check=True)
    assert graph.opset_import[0].version == 17
    pads = [n for n in graph.graph.node if n.op_type == "Pad"]
    assert b"edge" in [a.s for n in pads for a in n.attribute if a.name == "mode"]  # the smoother's start
    dilations = [list(a.ints) for n in graph.graph.node if n.op_type == "Conv" for a in n.attribute if a.name == "dilations"]
    assert [20] in dilations
