"""Throughput and latency of ``fraudrules serve`` over loopback, next to the library's.

Starts ``python -m fraudrules serve`` in a subprocess on a free loopback port, then drives it
from client threads (``http.client``, one keep-alive connection each) with seeded chat traffic
(``benchmarks.traffic``). Reports, in one run on the same messages:

* the library in this process: ``Classifier.score`` on one thread, messages/s;
* ``POST /v1/score``: requests/s, p50 and p99 latency;
* ``POST /v1/score/batch``: requests/s, messages/s, p50 and p99 latency per batch.

    python -m benchmarks.server_bench                      # about a minute on 2 cores
    python -m benchmarks.server_bench --quick              # smoke test
    python -m benchmarks.server_bench --workers 2 --concurrency 16
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

import fraudrules
from benchmarks.traffic import generate


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "fraudrules", "serve", "--port", str(port), "--workers",
         str(workers), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "FRAUDRULES_ADMIN_TOKEN"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {process.stderr.read().decode()}"
                             if process.stderr else "the server exited")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not become ready in 60 s")


def _drive(port: int, path: str, bodies: Sequence[bytes], concurrency: int
           ) -> tuple[float, list[float]]:
    """Send every body once, from ``concurrency`` threads; (wall seconds, latencies)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    next_index = iter(range(len(bodies)))
    headers = {"Content-Type": "application/json"}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        try:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    break
                start = time.perf_counter()
                connection.request("POST", path, body=bodies[index], headers=headers)
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - start)
                if response.status != 200:
                    errors.append(f"{path}: HTTP {response.status}")
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return wall, latencies


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=20_000, help="single-score requests")
    parser.add_argument("--batches", type=int, default=400, help="batch requests")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--quick", action="store_true", help="a few seconds, for smoke tests")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.batches = 1000, 40

    messages = [m.text for m in generate(max(args.requests, args.batches * args.batch_size),
                                         seed=2026)]
    classifier = fraudrules.load()
    for text in messages[:2000]:  # warm up
        classifier.score(text)
    started = time.perf_counter()
    for text in messages:
        classifier.score(text)
    library = len(messages) / (time.perf_counter() - started)

    port = _free_port()
    process = _start(port, args.workers)
    try:
        singles = [json.dumps({"text": t}, ensure_ascii=False).encode()
                   for t in messages[:args.requests]]
        _drive(port, "/v1/score", singles[:500], args.concurrency)  # warm up
        single_wall, single = _drive(port, "/v1/score", singles, args.concurrency)
        batches = [json.dumps({"texts": messages[i * args.batch_size:(i + 1) * args.batch_size]},
                              ensure_ascii=False).encode() for i in range(args.batches)]
        batch_wall, batch = _drive(port, "/v1/score/batch", batches, args.concurrency)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()

    ms = 1000.0
    print(f"fraudrules {fraudrules.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; server workers {args.workers}, client threads "
          f"{args.concurrency}; {len(messages)} seeded messages (median "
          f"{statistics.median(len(m) for m in messages):.0f} characters)\n")
    print("| what | requests | requests/s | messages/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| library, `Classifier.score`, 1 thread | - | - | {library:,.0f} | "
          f"{ms / library:.3f} (mean) | - |")
    rate = len(single) / single_wall
    print(f"| `POST /v1/score` | {len(single):,} | {rate:,.0f} | {rate:,.0f} | "
          f"{_percentile(single, 0.5) * ms:.2f} | {_percentile(single, 0.99) * ms:.2f} |")
    rate = len(batch) / batch_wall
    print(f"| `POST /v1/score/batch` ({args.batch_size} texts) | {len(batch):,} | {rate:,.1f} "
          f"| {rate * args.batch_size:,.0f} | {_percentile(batch, 0.5) * ms:.2f} | "
          f"{_percentile(batch, 0.99) * ms:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
