#!/usr/bin/env bash
# The real calls through the service's own call path: each recording goes to POST /jobs of an embedded service (Silero
# VAD regions, 4-s windows every 2 s, segments), and the share of the segments' speech time per emotion is printed,
# with issue 10's call target (at least half neutral, at most a fifth angry or disgust). Unlike `speechemotion windows`
# (fixed windows cut blindly, each sent as its own upload), no window here spans a pause between two speakers' turns.
#   bench/calls-through-jobs.sh [MODEL=models/emotion-cnn.onnx] [PRIOR=] [CALLS=../shared/calls/*.wav] [PORT=5392]
# PRIOR is Analysis:ClassPrior as label=weight pairs, e.g. neutral=0.6,happy=0.0667,sad=0.0667,angry=0.0667,...
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(realpath "${1:-models/emotion-cnn.onnx}"); prior=${2:-}; calls=${3:-../shared/calls/*.wav}; port=${4:-5392}
work=$(mktemp -d); trap 'kill -TERM ${api:-} 2>/dev/null || true; wait ${api:-} 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build src/Api -c Release -v q >/dev/null
settings=(--Urls=http://127.0.0.1:$port --Storage:DataDirectory="$work/data" --Uploads:TemporaryDirectory="$work/uploads"
  --Analysis:ModelPath="$model")
for pair in ${prior//,/ }; do settings+=(--Analysis:ClassPrior:${pair%%=*}=${pair#*=}); done
url=http://127.0.0.1:$port
dotnet src/Api/bin/Release/net10.0/SpeechEmotion.Api.dll "${settings[@]}" >"$work/api.log" 2>&1 & api=$!
for _ in $(seq 1 240); do curl -sf $url/health/ready >/dev/null && break; sleep 0.5; done
curl -sf $url/health/ready >/dev/null || { echo "the service did not become ready:" >&2; tail -20 "$work/api.log" >&2; exit 1; }
for call in $calls; do
  id=$(curl -sf -F file=@"$call" $url/jobs | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  until curl -sf "$url/jobs/$id" | grep -q '"status":"\(succeeded\|failed\)"'; do sleep 0.5; done
  curl -sf "$url/jobs/$id?include=segments" | /usr/bin/python3 -c '
import json, sys
job, name = json.load(sys.stdin), sys.argv[1]
if job["status"] != "succeeded":
    sys.exit(name + ": " + job["status"] + ": " + json.dumps(job.get("error")))
result = job["result"]
for channel in result["channels"]:
    seconds = {}
    for segment in channel["segments"]:
        seconds[segment["emotion"]] = seconds.get(segment["emotion"], 0) + segment["end"] - segment["start"]
    total = sum(seconds.values())
    share = {label: value / total for label, value in sorted(seconds.items())}
    neutral, angry_or_disgust = share.get("neutral", 0), share.get("angry", 0) + share.get("disgust", 0)
    verdict = "met" if neutral >= 0.5 and angry_or_disgust <= 0.2 else "not met"
    print(json.dumps({"call": name, "model": result["modelVersion"], "channel": channel["channel"],
                      "segments": len(channel["segments"]), "speechSeconds": round(total, 1),
                      "neutral": round(neutral, 3), "angryOrDisgust": round(angry_or_disgust, 3), "target": verdict,
                      "share": {label: round(value, 3) for label, value in share.items()}}))' "$(basename "$call")"
done
