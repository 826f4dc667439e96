#!/usr/bin/env bash
# Embedded mode, stop and restart with a backlog: a generated archive of N two-second clips goes in as one batch,
# the service gets SIGTERM while most jobs are still queued, and is started again on the same data. Prints how long
# the stop took and how long after the restart the batch was completed.
#   bench/embedded-restart.sh [N=2000] [PORT=5391]
set -euo pipefail
cd "$(dirname "$0")/.."
clips=${1:-2000}; port=${2:-5391}
work=$(mktemp -d); trap 'kill -TERM ${api:-} 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build src/Api -c Release -v q >/dev/null
/usr/bin/python3 - "$work/clips.zip" "$clips" <<'PY'
import io, math, random, struct, sys, wave, zipfile
random.seed(1)
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as archive:
    for i in range(int(sys.argv[2])):
        buffer, f = io.BytesIO(), 150 + random.random() * 200
        with wave.open(buffer, "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * f * t / 8000)
                * (0.5 + 0.5 * math.sin(2 * math.pi * 3 * t / 8000)))) for t in range(16000)))
        archive.writestr(f"clip{i:05d}.wav", buffer.getvalue())
PY
url=http://127.0.0.1:$port
start() { dotnet src/Api/bin/Release/net10.0/SpeechEmotion.Api.dll --Urls=$url --Storage:DataDirectory="$work/data" \
  --Uploads:TemporaryDirectory="$work/uploads" >"$work/api-$1.log" 2>&1 & api=$!; }
ready() { for _ in $(seq 1 240); do curl -sf $url/health/ready >/dev/null && return; sleep 0.5; done; echo "not ready" >&2; exit 1; }
now() { date +%s.%N; }
start 1; ready
batch=$(curl -sf -F archive=@"$work/clips.zip" $url/batches | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "at SIGTERM: $(curl -sf $url/batches/$batch)"
t0=$(now); kill -TERM $api; while kill -0 $api 2>/dev/null; do sleep 0.02; done; t1=$(now)
start 2; t2=$(now); ready
until curl -sf $url/batches/$batch | grep -q '"status":"completed"'; do sleep 0.5; done; t3=$(now)
echo "after restart: $(curl -sf $url/batches/$batch)"
echo "stop took $(echo "$t1 - $t0" | bc) s; batch completed $(echo "$t3 - $t2" | bc) s after the restart began"
