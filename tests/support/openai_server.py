"""A small OpenAI-compatible HTTP server for tests, backed by a real character n-gram model.

    python tests/support/openai_server.py --corpus FILE [--corpus FILE ...] [--delay S]

It trains an order-6 character model on the corpus files, binds 127.0.0.1 on a free
port and prints `PORT <n>` on its first stdout line. Endpoints: `/v1/chat/completions`,
`/v1/completions`, `/v1/models`, and `/stats` (requests seen, the most in flight at
once; `/stats?reset=1` also resets them). Generation is sampled with a seed made from the request's prompt, seed and
choice index, so the same request always gets the same text. A request carrying
`X-Fail-First: K` is refused for its first K arrivals (429 with Retry-After, then
500), counted per request body, so clients' retries are exercised for real; one
carrying `X-Malformed: 1` gets a 200 without choices.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDER = 6


class CharModel:
    def __init__(self, texts: list[str]):
        self.counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for text in texts:
            padded = "\0" * ORDER + text
            for i in range(ORDER, len(padded)):
                for k in range(ORDER + 1):  # every context length, for back-off
                    self.counts[padded[i - k:i]][padded[i]] += 1

    def generate(self, prompt: str, seed: str, max_tokens: int, temperature: float) -> str:
        rng = random.Random(hashlib.sha256(seed.encode()).digest())
        text = "\0" * ORDER + prompt
        out = []
        for _ in range(max_tokens):
            for k in range(ORDER, -1, -1):
                options = self.counts.get(text[len(text) - k:] if k else "")
                if options:
                    break
            chars = sorted(options)
            weights = [options[c] ** (1.0 / max(temperature, 1e-3)) for c in chars]
            char = rng.choices(chars, weights)[0]
            out.append(char)
            text += char
        return "".join(out)


class Handler(BaseHTTPRequestHandler):
    model: CharModel
    delay: float
    lock = threading.Lock()
    arrivals: collections.Counter = collections.Counter()
    stats = {"requests": 0, "served": 0, "in_flight": 0, "max_in_flight": 0}

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path in ("/stats", "/stats?reset=1"):
            with self.lock:
                snapshot = dict(self.stats)
                if self.path.endswith("reset=1"):
                    self.stats.update(requests=0, served=0, max_in_flight=self.stats["in_flight"])
            return self._reply(200, snapshot)
        if self.path == "/v1/models":
            return self._reply(200, {"object": "list", "data": [{"id": "char-ngram", "object": "model"}]})
        self._reply(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = hashlib.sha256(raw).hexdigest()
        with self.lock:
            self.stats["requests"] += 1
            self.arrivals[key] += 1
            arrival = self.arrivals[key]
            self.stats["in_flight"] += 1
            self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.stats["in_flight"])
        try:
            reply = self._answer(raw, key, arrival)
        finally:
            # Leave the in-flight count before replying: once the client has the reply it may
            # send its next request, which must not find this one still counted.
            with self.lock:
                self.stats["in_flight"] -= 1
        self._reply(*reply)

    def _answer(self, raw: bytes, key: str, arrival: int) -> tuple:
        time.sleep(self.delay)
        fail_first = int(self.headers.get("X-Fail-First", "0"))
        if arrival <= fail_first:
            if arrival % 2:
                return 429, {"error": {"message": "rate limited"}}, {"Retry-After": "0.01"}
            return 500, {"error": {"message": "internal error"}}
        if self.headers.get("X-Malformed"):  # a broken proxy: 200 without a completion
            return 200, {"detail": "upstream said nothing"}
        body = json.loads(raw)
        if self.path == "/v1/chat/completions":
            prompt = "\n".join(m["content"] for m in body["messages"])
        elif self.path == "/v1/completions":
            prompt = body["prompt"]
        else:
            return 404, {"error": {"message": f"no route {self.path}"}}
        choices = []
        for index in range(int(body.get("n", 1))):
            text = self.model.generate(prompt, f"{prompt}|{body.get('seed', 0)}|{index}",
                                       int(body.get("max_tokens", 64)), float(body.get("temperature", 1.0)))
            choice = {"index": index, "finish_reason": "length"}
            if self.path == "/v1/chat/completions":
                choice["message"] = {"role": "assistant", "content": text}
            else:
                choice["text"] = text
            choices.append(choice)
        with self.lock:
            self.stats["served"] += 1
        return 200, {"id": key[:16], "object": "chat.completion", "model": body["model"], "choices": choices}


def _code(row: dict) -> str:
    return row.get("prompt", "") + "\n" + row.get("canonical_solution", "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", action="append", required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each request takes")
    args = parser.parse_args()
    texts = []
    for path in args.corpus:
        with open(path, encoding="utf-8") as fh:
            texts += [_code(json.loads(line)) for line in fh] if path.endswith(".jsonl") else [fh.read()]
    Handler.model = CharModel(texts)
    Handler.delay = args.delay
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
