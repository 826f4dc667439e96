#!/usr/bin/env bash
# Installs, from Debian 12 packages, everything SpeechEmotion needs besides the .NET SDK:
# ffmpeg (decoding non-WAV uploads), PostgreSQL 15 and RabbitMQ 3.10 (distributed mode and its tests),
# and Debian's Python stack for training/tests. Idempotent: returns at once when all are installed.
set -euo pipefail

packages=(
  ffmpeg
  postgresql
  rabbitmq-server
  python3-torch python3-onnx python3-numpy python3-scipy python3-soundfile
  python3-sklearn python3-matplotlib python3-pytest
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-debian-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

# Installing needs root: run as root, or as a user with sudo (the script then re-runs itself through sudo).
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-debian-deps: must run as root to install: ${missing[*]} (sudo is not installed)" >&2
    exit 1
  fi
  exec sudo "$0" "$@"
fi

echo "install-debian-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# Without systemd, postinst scripts that try to start services fail; policy-rc.d 101 tells them not to.
# We start the servers ourselves with deploy/local-servers.sh.
policy_file=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy_file" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy_file"
  chmod +x "$policy_file"
  created_policy=true
fi
remove_policy_file() { if [ "$created_policy" = true ]; then rm -f "$policy_file"; fi; }
trap remove_policy_file EXIT
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-debian-deps: done"
