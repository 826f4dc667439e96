#!/usr/bin/env bash
# Service-path cross-validation: each fold model of a crossval run scored by the service's own path
# (`speechemotion evaluate`: decode -> Silero VAD -> 4-s windows -> ONNX) on its fold's speakers, pooled.
#   training/service_crossval.sh RUN_DIR [RECIPE] [DATASETS_DIR]
# RUN_DIR holds crossval.json (whose "folds" name each fold's speakers) and weights.pt from `training/crossval.py run`;
# DATASETS_DIR holds the corpora's folders (default ../shared/datasets: ravdess/, savee/, tess/). Prints the pooled
# figures, per corpus too, and writes RUN_DIR/service-fold*.json and RUN_DIR/service.json.
# CORPORA="ravdess savee tess" scores those corpora's held-out speakers (default: RAVDESS only, the issue's target set).
# RECIPE a+b scores an ensemble: each fold's models of recipes a and b (e.g. two seeds) averaged in one graph.
# FOLDS="0 1" scores only those folds (a run made with `crossval.py run --folds 0,1`).
# EVALUATE_OPTIONS adds options to every `evaluate`, e.g. EVALUATE_OPTIONS="--per-speaker-normalise 0.5,1" for the
# per-speaker normalisation rows (models/MODEL_CARD.md).
set -euo pipefail
run=${1:?run folder}; recipe=${2:-v2}; datasets=${3:-../shared/datasets}
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v q >/dev/null
folds=(${FOLDS:-0 1 2 3 4})
for k in "${folds[@]}"; do
  speakers=$(/usr/bin/python3 training/crossval.py fold-speakers "$run/crossval.json" "$k" --corpora "${CORPORA:-ravdess}")
  name=$(tr + '\n' <<<"$recipe" | sed "s/\$/-fold$k/" | paste -sd+)  # a+b: the two recipes' fold models as one graph
  /usr/bin/python3 training/crossval.py export --weights "$run/weights.pt" --report "$run/crossval.json" \
    --name "$name" --version "crossval-$recipe-fold$k" --out "$run/$recipe-fold$k.onnx"
  dotnet run --no-build -c Release --project src/Cli -- evaluate "$datasets" --speakers "$speakers" --perturb --json ${EVALUATE_OPTIONS:-} \
    --model "$run/$recipe-fold$k.onnx" > "$run/service-fold$k.json"
done
outputs=(); for k in "${folds[@]}"; do outputs+=("$run/service-fold$k.json"); done
/usr/bin/python3 training/crossval.py service-report "${outputs[@]}" --out "$run/service.json"
