#!/usr/bin/env python3
"""Stream a WAV file to SpeechEmotion's /live WebSocket at real-time pace and print every frame it sends back.

Standard library only (Python 3.8+): a minimal RFC 6455 client, enough for this protocol.
  python3 samples/live_client.py samples/call-8khz-mulaw.wav [ws://localhost:5080/live?record=true] [--tracks inbound,outbound]
An 8 kHz mu-law WAV goes as Twilio Media Streams (JSON text frames, base64 payloads); a 16-bit PCM WAV goes as raw
binary frames after a JSON start message. Channel 0 is the first track (inbound = the caller), channel 1 the second.
"""
import base64
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse

CHUNK_MS = 20


def read_wav(path):
    """(is_mulaw, sample_rate, channels, data) of an 8 kHz mu-law or 16-bit PCM WAV."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        sys.exit("not a WAV file")
    at, fmt = 12, None
    while at + 8 <= len(raw):
        kind, size = raw[at:at + 4], struct.unpack_from("<I", raw, at + 4)[0]
        body = raw[at + 8:at + 8 + size]
        if kind == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            fmt = (tag, channels, rate, bits)
        elif kind == b"data" and fmt:
            tag, channels, rate, bits = fmt
            if tag == 7 and rate == 8000:
                return True, rate, channels, body
            if tag == 1 and bits == 16:
                return False, rate, channels, body
            sys.exit("stream an 8 kHz mu-law WAV or a 16-bit PCM WAV (ffmpeg -i in.wav -ar 8000 -c:a pcm_mulaw out.wav)")
        at += 8 + size + (size & 1)
    sys.exit("no data chunk")


class WebSocket:
    """Client side of RFC 6455: handshake, masked frames out, frames in (text, binary, ping, close)."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "ws":
            sys.exit("only ws:// URLs (plain TCP) are supported by this stdlib client")
        self.sock = socket.create_connection((parts.hostname, parts.port or 80))
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path + ("?" + parts.query if parts.query else "")
        request = (f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                sys.exit("connection closed during the handshake")
            response += chunk
        head, self.pending = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            sys.exit("handshake refused: " + head.decode(errors="replace") + "\n" + self.pending.decode(errors="replace"))
        self.send_lock = threading.Lock()

    def send(self, opcode, payload):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        with self.send_lock:
            self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self.send(0x1, text.encode())

    def _read(self, n):
        while len(self.pending) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.pending += chunk
        data, self.pending = self.pending[:n], self.pending[n:]
        return data

    def receive(self):
        """(opcode, payload) of the next whole message; pings are answered here."""
        message, opcode = b"", None
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            op = b0 & 0x0F
            if op == 0x9:
                self.send(0xA, payload)
                continue
            if op in (0x8, 0xA):
                return op, payload
            opcode = opcode or op
            message += payload
            if b0 & 0x80:
                return opcode, message


def stream(ws, is_mulaw, rate, channels, data, tracks):
    width = 1 if is_mulaw else 2
    frame_bytes = width * channels
    chunk_frames = rate * CHUNK_MS // 1000
    frames = len(data) // frame_bytes
    names = tracks[:channels]
    if is_mulaw:
        ws.send_text(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        ws.send_text(json.dumps({"event": "start", "streamSid": "MZpython", "start": {
            "streamSid": "MZpython", "tracks": names,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
    else:
        ws.send_text(json.dumps({"event": "start", "encoding": "pcm16", "sampleRate": rate, "channels": channels, "tracks": names}))
    began = time.monotonic()
    for chunk, at in enumerate(range(0, frames, chunk_frames)):
        due = began + (chunk + 1) * CHUNK_MS / 1000   # a chunk goes once its 20 ms have been "spoken"
        time.sleep(max(0.0, due - time.monotonic()))
        piece = data[at * frame_bytes:min(frames, at + chunk_frames) * frame_bytes]
        if not is_mulaw:
            ws.send(0x2, piece)
            continue
        for channel, track in enumerate(names):
            payload = base64.b64encode(piece[channel::channels]).decode()
            ws.send_text(json.dumps({"event": "media", "streamSid": "MZpython", "media": {
                "track": track, "chunk": str(chunk + 1), "timestamp": str(at * 1000 // rate), "payload": payload}}))
    ws.send_text(json.dumps({"event": "stop", "streamSid": "MZpython"}))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tracks = ["inbound", "outbound"]
    if "--tracks" in sys.argv:
        tracks = sys.argv[sys.argv.index("--tracks") + 1].split(",")
        args.remove(sys.argv[sys.argv.index("--tracks") + 1])
    if not args:
        sys.exit(__doc__)
    url = args[1] if len(args) > 1 else "ws://localhost:5080/live"
    is_mulaw, rate, channels, data = read_wav(args[0])
    ws = WebSocket(url)
    sender = threading.Thread(target=stream, args=(ws, is_mulaw, rate, channels, data, tracks), daemon=True)
    sender.start()
    while True:
        opcode, payload = ws.receive()
        if opcode == 0x8:
            code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
            print(f"closed: {code} {payload[2:].decode(errors='replace')}")
            ws.send(0x8, payload[:2])
            return 0 if code == 1000 else 1
        if opcode == 0x1:
            print(payload.decode())


if __name__ == "__main__":
    sys.exit(main())
