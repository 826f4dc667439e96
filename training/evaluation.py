"""Metrics on held-out speakers, temperature calibration, and the written report (markdown + confusion PNGs).

Every clip is evaluated at its own length, one at a time, exactly as the service feeds the ONNX graph, and under each
of audio.VARIATIONS (trimmed, telephone, padded with room noise, raw), so a model that needs exact trimming cannot win
model selection."""
import zlib

import numpy as np
import torch
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

import audio
from corpora import LABELS

LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}


def macro_f1(y_true, y_pred):
    return float(f1_score(y_true, y_pred, labels=range(len(LABELS)), average="macro", zero_division=0))


@torch.no_grad()
def probabilities(model, waves):
    model.eval()
    return np.stack([model(torch.from_numpy(np.ascontiguousarray(w))[None])[0].numpy() for w in waves])


# Model selection averages validation macro-F1 over these: the production-like conditions, not the easy case alone.
SELECTION_VARIATIONS = ("clean", "telephone", "padded_noisy", "raw")


def variation_waves(data, name):
    return [audio.variation(name, trimmed, raw, zlib.crc32(clip.path.encode())) for clip, (trimmed, raw) in data]


def evaluate(model, data, variation="clean"):
    probs = probabilities(model, variation_waves(data, variation))
    y_true = np.array([LABEL_INDEX[clip.label] for clip, _ in data])
    y_pred = probs.argmax(1)
    return {"accuracy": float(accuracy_score(y_true, y_pred)), "macro_f1": macro_f1(y_true, y_pred),
            "probs": probs, "y_true": y_true}


def expected_calibration_error(probs, y_true, bins=15):
    confidence, predicted = probs.max(1), probs.argmax(1)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            ece += inside.mean() * abs((predicted[inside] == y_true[inside]).mean() - confidence[inside].mean())
    return float(ece)


def selection_score(model, validation):
    scores = {name: evaluate(model, validation, name) for name in SELECTION_VARIATIONS}
    return {"accuracy": float(np.mean([r["accuracy"] for r in scores.values()])),
            "macro_f1": float(np.mean([r["macro_f1"] for r in scores.values()])),
            "per_variation": {name: r["macro_f1"] for name, r in scores.items()}}


def fit_temperature(model, validation):
    """Temperature scaling (Guo et al. 2017): the T that minimises validation NLL over the selection variations;
    argmax is unchanged."""
    results = [evaluate(model, validation, name) for name in SELECTION_VARIATIONS]
    y = np.concatenate([r["y_true"] for r in results])
    result = {"probs": np.concatenate([r["probs"] for r in results])}
    best = (np.inf, 1.0)
    for t in np.arange(0.5, 5.0, 0.01):
        nll = -np.log(rescale(result["probs"], 1 / t)[np.arange(len(y)), y]).mean()
        best = min(best, (nll, float(t)))
    return round(best[1], 2)


def rescale(probs, factor):
    """softmax(factor * log p): the probabilities at another temperature, without running the model again.
    p = softmax(logits / T) gives softmax(logits) back with factor T, and softmax(logits / t) with factor 1 / t."""
    scaled = np.log(np.clip(probs, 1e-12, 1)) * factor
    scaled -= scaled.max(1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(1, keepdims=True)


def summarise(y_true, probs):
    y_pred = probs.argmax(1)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=range(len(LABELS)), zero_division=0)
    return {
        "clips": int(len(y_true)), "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": macro_f1(y_true, y_pred), "ece": expected_calibration_error(probs, y_true),
        "per_class": {label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                              "support": int(support[i])} for i, label in enumerate(LABELS)},
        "confusion": confusion_matrix(y_true, y_pred, labels=range(len(LABELS))).tolist(),
    }


def full_report(model, test, temperature=None):
    """Figures on the test speakers under every variation, overall and per corpus. With the temperature the model was
    calibrated with, also the ECE it had before calibration."""
    corpus_of = np.array([clip.corpus for clip, _ in test])
    report = {}
    for name in audio.VARIATIONS:
        result = evaluate(model, test, name)
        report[name] = {"all": summarise(result["y_true"], result["probs"])}
        for corpus in sorted(set(corpus_of)):
            mask = corpus_of == corpus
            report[name][corpus] = summarise(result["y_true"][mask], result["probs"][mask])
        if name == "clean" and temperature is not None:
            report["ece_uncalibrated"] = expected_calibration_error(rescale(result["probs"], temperature),
                                                                    result["y_true"])
    return report


# --- Written report ------------------------------------------------------------------------------------------
def plot_confusion(confusion, title, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matrix = np.array(confusion)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.imshow(matrix / np.maximum(matrix.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            ax.text(j, i, matrix[i, j], ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=45, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _row(name, r):
    return f"| {name} | {r['clips']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['ece']:.3f} |"


def write_report(summary, out):
    lines = [f"# Training report — {summary['model_version']}", "",
             f"Training took {summary['training_minutes']:.1f} min on {summary['machine']}; best validation "
             f"epoch {summary['best_epoch']} of {summary['config']['epochs']}; temperature {summary['temperature']}.",
             "", "Speakers are split per corpus; no speaker is on two sides (checked when split.json is written).", "",
             "| corpus | train clips | validation clips | test clips |", "| --- | --- | --- | --- |"]
    for corpus, n in summary["corpora"].items():
        lines.append(f"| {corpus} | {n['train']} | {n['validation']} | {n['test']} |")
    lines += ["", f"Test speakers: {', '.join(summary['split']['test'])}", ""]
    for name, result in summary["results"].items():
        clean = result["clean"]
        plot_confusion(clean["all"]["confusion"], f"{name}: test speakers", out / f"confusion-{name}.png")
        lines += [f"## {name}", "", "| test set | variation | clips | accuracy | macro-F1 | ECE |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for key in clean:
            for variation_name in audio.VARIATIONS:
                r = result[variation_name][key]
                lines.append(f"| {key} | {variation_name} | {r['clips']} | {r['accuracy']:.3f} | "
                             f"{r['macro_f1']:.3f} | {r['ece']:.3f} |")
        if "ece_uncalibrated" in result:
            lines += ["", f"ECE before temperature scaling: {result['ece_uncalibrated']:.3f}"]
        lines += ["", "Per class, clean test clips:", "", "| class | precision | recall | F1 | support |",
                  "| --- | --- | --- | --- | --- |"]
        for label, m in clean["all"]["per_class"].items():
            lines.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
        lines += ["", "Confusion matrix (rows true, columns predicted: " + ", ".join(LABELS) + "):", "", "```"]
        lines += [" ".join(f"{v:4d}" for v in row) for row in clean["all"]["confusion"]]
        lines += ["```", "", f"![confusion {name}](confusion-{name}.png)", ""]
    lines += ["## Training progress", "", "| epoch | loss | train acc | val acc | val macro-F1 | s |",
              "| --- | --- | --- | --- | --- | --- |"]
    for h in summary["history"]:
        lines.append(f"| {h['epoch']} | {h['loss']:.3f} | {h['train_accuracy']:.3f} | {h['val_accuracy']:.3f} | "
                     f"{h['val_macro_f1']:.3f} | {h['seconds']:.0f} |")
    lines += ["", "## Files", ""] + [f"- `{k}`: {v}" for k, v in summary.get("files", {}).items()]
    (out / "REPORT.md").write_text("\n".join(lines) + "\n")
