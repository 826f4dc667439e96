#!/usr/bin/env bash
# Reruns the README's examples on the shipped samples against the model in models/ and prints what the service
# answered, section by section, so the README's JSON can be checked or replaced after a model change:
#   samples/readme-examples.sh [PORT]
# Starts the embedded service on 127.0.0.1:PORT (default 5090) with its data in a temporary folder, and stops it.
set -euo pipefail
port=${1:-5090}
base=http://127.0.0.1:$port
cd "$(dirname "$0")/.."
data=$(mktemp -d)
dotnet build src/Api -v q >/dev/null
dotnet build src/Cli -v q >/dev/null
dotnet src/Api/bin/Debug/net10.0/SpeechEmotion.Api.dll --Urls="$base" --Storage:DataDirectory="$data" >"$data/api.log" 2>&1 &
api=$!
trap 'kill $api 2>/dev/null; wait $api 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 60); do curl -sf "$base/health/ready" >/dev/null && break; sleep 1; done

section() { printf '\n=== %s\n' "$1"; }
job_id() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
wait_finished() {
  for _ in $(seq 120); do
    status=$(curl -s "$base/jobs/$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
    [[ $status == succeeded || $status == failed ]] && return
    sleep 0.5
  done
}

section "POST /emotion samples/caller.mp3"
curl -s -F file=@samples/caller.mp3 "$base/emotion"; echo

section "POST /jobs samples/call-8khz-mulaw.wav, then GET /jobs/{id} and /results"
id=$(curl -s -F file=@samples/call-8khz-mulaw.wav -F callbackUrl=https://crm.example.com/hooks/emotion \
       -F 'metadata={"callId":"C-1042","agent":"jsmith"}' "$base/jobs" | job_id)
wait_finished "$id"
curl -s "$base/jobs/$id"; echo
curl -s "$base/jobs/$id/results"; echo

section "POST /jobs samples/call-stereo-8khz-mulaw.wav channels=split, then GET /jobs/{id}?include=segments"
id=$(curl -s -F file=@samples/call-stereo-8khz-mulaw.wav -F channels=split -F channelNames=agent,customer "$base/jobs" | job_id)
wait_finished "$id"
curl -s "$base/jobs/$id?include=segments"; echo

section "live (C#) samples/call-stereo-8khz-mulaw.wav --tracks outbound,inbound"
dotnet src/Cli/bin/Debug/net10.0/SpeechEmotion.Cli.dll live samples/call-stereo-8khz-mulaw.wav --tracks outbound,inbound \
  --url "ws://127.0.0.1:$port/live?record=true"

section "live (Python) samples/call-8khz-mulaw.wav"
python3 samples/live_client.py samples/call-8khz-mulaw.wav "ws://127.0.0.1:$port/live?record=true"
