#!/usr/bin/env bash
# The real calls cut blindly into 4-s windows (`speechemotion windows`), for one or more models: each window's top
# emotion, counted. Printed per model and call: neutral and angry + disgust shares of the windows, for consecutive
# windows (hop 4 s) and for a window every second (hop 1 s, which takes the first window's start out of the figure).
# A JSON line per model, call and hop; OUT=FILE also writes them together as one JSON object.
#   bench/calls-windows.sh MODEL.onnx [MODEL.onnx ...]      (CALLS="../shared/calls/*.wav" by default)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/calls-windows.sh MODEL.onnx [MODEL.onnx ...]" >&2; exit 2; }
dotnet build src/Cli -c Release -v q >/dev/null
lines=$(mktemp); trap 'rm -f "$lines"' EXIT
for model in "$@"; do
  for call in ${CALLS:-../shared/calls/*.wav}; do
    for hop in 4 1; do
      dotnet src/Cli/bin/Release/net10.0/SpeechEmotion.Cli.dll windows "$call" --json --hop $hop --model "$model" |
        /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps({"model": sys.argv[1], "modelVersion": d["modelVersion"], "call": d["file"], "hopSeconds": d["hopSeconds"],
                  "windows": d["windows"], "neutral": round(d["neutralShare"], 3),
                  "angryOrDisgust": round(d["angryOrDisgustShare"], 3), "counts": d["counts"]}))' "$model" | tee -a "$lines"
    done
  done
done
if [ -n "${OUT:-}" ]; then
  /usr/bin/python3 -c '
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
key = lambda r: "%s/%s/hop%d" % (r["modelVersion"], r["call"], r["hopSeconds"])
json.dump({key(r): r for r in rows}, open(sys.argv[2], "w"), indent=1)' "$lines" "$OUT"
  echo "wrote $OUT"
fi
