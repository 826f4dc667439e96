#!/usr/bin/env bash
# Service-path cross-validation: each fold model of a crossval run scored by the service's own path
# (`speechemotion evaluate`: decode -> Silero VAD -> 4-s windows -> ONNX) on the RAVDESS actors it never saw, pooled.
#   training/service_crossval.sh RUN_DIR [RECIPE] [RAVDESS_DIR]
# RUN_DIR holds crossval.json and weights.pt from `training/crossval.py run`; prints the pooled figures and writes
# RUN_DIR/service-fold*.json and RUN_DIR/service.json. EVALUATE_OPTIONS adds options to every `evaluate`, e.g.
# EVALUATE_OPTIONS="--per-speaker-normalise 0.5,1" for the per-speaker normalisation rows (models/MODEL_CARD.md).
# FOLDS="0 1" scores only those folds (a run made with `crossval.py run --folds 0,1`).
set -euo pipefail
run=${1:?run folder}; recipe=${2:-v2}; ravdess=${3:-../shared/datasets/ravdess}
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v q >/dev/null
actors=("1,6,11,16" "2,7,12,17" "3,8,13,18" "4,9,14,19" "5,10,15,20")  # crossval.py's fold_of
folds=(${FOLDS:-0 1 2 3 4})
for k in "${folds[@]}"; do
  /usr/bin/python3 training/crossval.py export --weights "$run/weights.pt" --report "$run/crossval.json" \
    --name "$recipe-fold$k" --version "crossval-$recipe-fold$k" --out "$run/$recipe-fold$k.onnx"
  dotnet run --no-build -c Release --project src/Cli -- evaluate "$ravdess" --speakers "${actors[$k]}" --perturb --json ${EVALUATE_OPTIONS:-} \
    --model "$run/$recipe-fold$k.onnx" > "$run/service-fold$k.json"
done
outputs=(); for k in "${folds[@]}"; do outputs+=("$run/service-fold$k.json"); done
/usr/bin/python3 training/crossval.py service-report "${outputs[@]}" --out "$run/service.json"
