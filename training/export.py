"""ONNX export (opset 17) with the label contract in the metadata, checked with onnx.checker, plus the reference
cases the C# service's tests replay through ONNX Runtime."""
import json

import numpy as np
import onnx
import onnx.compose
import onnx.helper
import onnx.numpy_helper
import torch

from corpora import LABELS
from models import N_BINS, N_USED_BINS, SAMPLE_RATE

OPSET = 17
MIN_SAMPLES = SAMPLE_RATE // 2  # 0.5 s: the shortest recording the service accepts
WAVEFORM, PROBABILITIES = "waveform", "probabilities"  # the graph's input and output, as the service names them


def export_onnx(model, path, metadata):
    model.eval()
    example = torch.zeros(1, SAMPLE_RATE)
    torch.onnx.export(model, example, str(path), opset_version=OPSET, input_names=[WAVEFORM],
                      output_names=[PROBABILITIES],
                      dynamic_axes={WAVEFORM: {0: "batch", 1: "samples"}, PROBABILITIES: {0: "batch"}})
    graph = onnx.load(str(path))
    for key, value in metadata.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.checker.check_model(graph, full_check=True)
    onnx.save(graph, str(path))


def trim_front_end(graph):
    """A graph exported before the front end computed only the N_USED_BINS the mel filters use (v5 as trained):
    the same cut made in place on its DFT and mel initializers and on the two Slices that part real from imaginary.
    Its answers stay (the bins it drops have no mel weight); it runs faster (tests: identical to a fresh export).
    Anything else (a graph already cut, or rewritten by another tool) is refused with a ValueError, untouched."""
    tensors = {t.name: t for t in graph.graph.initializer}
    if "frontend.dft" not in tensors or "frontend.mel" not in tensors:
        raise ValueError("no frontend.dft / frontend.mel initializers: not a graph this trainer exported")
    dft, mel = onnx.numpy_helper.to_array(tensors["frontend.dft"]), onnx.numpy_helper.to_array(tensors["frontend.mel"])
    if dft.shape[0] != 2 * N_BINS:
        raise ValueError(f"the front end already computes {dft.shape[0] // 2} bins, not {N_BINS}")
    spectrum = [n.output[0] for n in graph.graph.node if n.op_type == "Conv" and "frontend.dft" in n.input]
    bounds = {name for n in graph.graph.node if n.op_type == "Slice" and n.input[0] in spectrum for name in n.input[1:3]}
    cut_at = [node for node in graph.graph.node if node.op_type == "Constant" and node.output[0] in bounds
              and onnx.numpy_helper.to_array(node.attribute[0].t).tolist() == [N_BINS]]
    if len(cut_at) != 2:  # the real parts' end and the imaginary parts' start
        raise ValueError(f"expected the spectrum's two Slices to part at bin {N_BINS}, found {len(cut_at)} such bounds")
    for node in cut_at:
        dtype = onnx.numpy_helper.to_array(node.attribute[0].t).dtype
        node.attribute[0].t.CopyFrom(onnx.numpy_helper.from_array(np.array([N_USED_BINS], dtype=dtype)))
    tensors["frontend.dft"].CopyFrom(onnx.numpy_helper.from_array(
        np.concatenate([dft[:N_USED_BINS], dft[N_BINS:N_BINS + N_USED_BINS]]), "frontend.dft"))
    tensors["frontend.mel"].CopyFrom(onnx.numpy_helper.from_array(mel[:N_USED_BINS], "frontend.mel"))
    onnx.checker.check_model(graph, full_check=True)
    return graph


JOINED_CONTRACT = ("labels", "sample_rate", "min_samples", "model_kind", "opset")  # what every member must agree on


def join_graphs(members, version):
    """Exported graphs trained apart (e.g. two recipes' models of one fold, or two finals) as one graph that answers
    the softmax of the mean of its members' log-probabilities: the mean of their logits, each over its own
    temperature, so each member keeps its calibration and its own front end. The members must share the contract
    (labels, rate, shortest input, kind, opset) and hold out the same speakers (else one would be scored on speakers it
    trained on); anything else is refused with a ValueError."""
    metadata = [{p.key: p.value for p in member.metadata_props} for member in members]
    for key in JOINED_CONTRACT:
        if len({m.get(key) for m in metadata}) > 1:
            raise ValueError(f"the members disagree on {key}: {[m.get(key) for m in metadata]}")
    held_out = {m.get("training_data", "").rpartition("held out: ")[2] for m in metadata}
    if len(held_out) > 1:
        raise ValueError(f"the members hold out different speakers: {sorted(held_out)}")
    nodes, initializers, log_probabilities = [], [], []
    for i, member in enumerate(members):
        graph = onnx.compose.add_prefix_graph(member.graph, f"member{i}/")
        for node in graph.node:  # every member reads the one waveform input
            node.input[:] = [WAVEFORM if name == f"member{i}/{WAVEFORM}" else name for name in node.input]
        log_probabilities.append(f"member{i}/log_probabilities")
        nodes += [*graph.node, onnx.helper.make_node("Log", [graph.output[0].name], [log_probabilities[-1]])]
        initializers += graph.initializer
    initializers.append(onnx.numpy_helper.from_array(np.array(1 / len(members), np.float32), "joined/share"))
    nodes += [onnx.helper.make_node("Sum", log_probabilities, ["joined/sum"]),
              onnx.helper.make_node("Mul", ["joined/sum", "joined/share"], ["joined/mean"]),
              onnx.helper.make_node("Softmax", ["joined/mean"], [PROBABILITIES], axis=-1)]
    graph = onnx.helper.make_graph(nodes, "joined", [members[0].graph.input[0]], [members[0].graph.output[0]],
                                   initializers)
    joined = onnx.helper.make_model(graph, opset_imports=members[0].opset_import, ir_version=members[0].ir_version)
    described = " | ".join(f"{m['model_version']}: {m.get('training_data', '')}" for m in metadata)
    for key, value in {**{k: metadata[0][k] for k in JOINED_CONTRACT}, "model_version": version,
                       "training_data": f"joined, mean of the members' log-probabilities: {described}"}.items():
        entry = joined.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(joined, full_check=True)
    return joined


def join_probabilities(members):
    """What a joined graph answers, from its members' probabilities ([members, classes]): the reference for its parity."""
    mean = np.log(np.stack([np.asarray(p, np.float64) for p in members])).mean(axis=0)
    unnormalised = np.exp(mean - mean.max())
    return unnormalised / unnormalised.sum()


def reference_signals():
    """Deterministic test signals of several lengths: a voiced-like harmonic sweep, noise, a chirp, a mix."""
    rng = np.random.default_rng(1234)
    t = lambda seconds: np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE  # noqa: E731
    s1 = t(1.0)
    f0 = 180 + 40 * np.sin(2 * np.pi * 3 * s1)
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 8)) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * s1)) * 0.3
    s3 = t(3.0)
    syllables = (np.sin(2 * np.pi * 2.5 * s3) > 0).astype(float) * np.sin(2 * np.pi * 2.5 * s3)
    speechlike = (syllables * sum(np.sin(2 * np.pi * f * s3 + rng.uniform(0, 6)) * a
                                  for f, a in [(140, 0.5), (280, 0.3), (700, 0.2), (1200, 0.1), (2500, 0.05)])
                  + 0.005 * rng.standard_normal(len(s3)))
    noise = 0.1 * rng.standard_normal(int(0.5 * SAMPLE_RATE))
    s2 = t(2.37)
    chirp = 0.4 * np.sin(2 * np.pi * (100 * s2 + 600 * s2 ** 2))
    return {"harmonic-1s": voiced, "speechlike-3s": speechlike, "noise-0.5s": noise, "chirp-2.37s": chirp}


@torch.no_grad()
def write_reference_cases(models, folder):
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for i, (name, wave) in enumerate(reference_signals().items()):
        wave = wave.astype(np.float32)
        file = f"case-{i}.f32"
        wave.astype("<f4").tofile(folder / file)
        case = {"name": name, "input": file, "samples": int(len(wave))}
        for model_name, model in models.items():
            case[model_name] = [float(p) for p in model(torch.from_numpy(wave)[None])[0]]
        cases.append(case)
    (folder / "cases.json").write_text(json.dumps({"tolerance": 1e-4, "labels": LABELS, "cases": cases}, indent=2))
    return cases


@torch.no_grad()
def update_reference_cases(model_name, model, folder):
    """Recompute one model's probabilities in an existing cases.json (the other model's stay as they are)."""
    index = json.loads((folder / "cases.json").read_text())
    for case in index["cases"]:
        wave = np.fromfile(folder / case["input"], dtype="<f4")
        case[model_name] = [float(p) for p in model(torch.from_numpy(wave)[None])[0]]
    (folder / "cases.json").write_text(json.dumps(index, indent=2))


def export_all(models, version, summary, out):
    corpora = ", ".join(f"{c} ({sum(n.values())} clips)" for c, n in summary["corpora"].items())
    files = {}
    for name, model in models.items():
        path = out / f"emotion-{name}.onnx"
        metadata = {
            "labels": ",".join(LABELS), "sample_rate": SAMPLE_RATE, "min_samples": MIN_SAMPLES,
            "model_version": version if name == "cnn" else version.replace("cnn-", "baseline-"),
            "model_kind": name, "opset": OPSET,
            "training_data": f"{corpora}; split by speaker, test speakers: {', '.join(summary['split']['test'])}",
        }
        export_onnx(model, path, metadata)
        files[path.name] = f"{path.stat().st_size / 1e6:.2f} MB, opset {OPSET}, onnx.checker passed"
    write_reference_cases(models, out / "reference")
    return files
