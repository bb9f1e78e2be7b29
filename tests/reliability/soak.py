"""Soak: a mixed job-tracking workload against one server for a fixed time.

Workers create jobs, claim them (Query StatusIndex, conditional pending -> processing),
complete them, read them back (GetItem, UserIndex queries) and delete old ones so the
table stays bounded. Every interval prints throughput and p99 latency; at the end the
server's RSS and open file descriptors are compared with their values after warm-up.
Exits non-zero on any 5xx, a claim handed out twice, or growth beyond the bounds.

    python -m tests.reliability.soak --seconds 600     # what `make soak` runs (SOAK_SECONDS)
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, job_table_spec

TABLE = "CloudToolsJobs"


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    ops: int = 0
    conflicts: int = 0
    server_errors: int = 0
    double_claims: int = 0
    claimed: set = field(default_factory=set)

    def record(self, seconds: float) -> None:
        with self.lock:
            self.ops += 1
            self.latencies.append(seconds)

    def take(self) -> tuple[int, list[float]]:
        with self.lock:
            ops, lat = self.ops, self.latencies
            self.ops, self.latencies = 0, []
        return ops, lat


def _p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99)] if values else 0.0


def process_figures(pid: int) -> tuple[int, int]:
    """(RSS in kB, open file descriptors) of a process, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


class Worker:
    def __init__(self, server: ServerProcess, n: int, stats: Stats, stop: threading.Event) -> None:
        self.ddb = server.client(config=Config(retries={"mode": "standard", "max_attempts": 1}, read_timeout=60))
        self.n, self.stats, self.stop = n, stats, stop
        self.rng = random.Random(n)
        self.created = 0

    def call(self, method: str, **kwargs: Any) -> dict | None:
        started = time.perf_counter()
        try:
            return getattr(self.ddb, method)(**kwargs)
        except ClientError as exc:
            if exc.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
                with self.stats.lock:
                    self.stats.server_errors += 1
            elif exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                with self.stats.lock:
                    self.stats.conflicts += 1
            else:
                raise
            return None
        finally:
            self.stats.record(time.perf_counter() - started)

    def run(self) -> None:
        while not self.stop.is_set():
            roll = self.rng.random()
            if roll < 0.3:
                self.create()
            elif roll < 0.55:
                self.claim_and_complete()
            elif roll < 0.85:
                self.read()
            else:
                self.prune()

    def create(self) -> None:
        self.created += 1
        self.call("put_item", TableName=TABLE, ConditionExpression="attribute_not_exists(jobId)", Item={
            "jobId": {"S": f"w{self.n}-{self.created}"}, "status": {"S": "pending"},
            "userId": {"S": f"user{self.rng.randrange(20)}"}, "createdAt": {"S": f"{time.time():.6f}"},
            "payload": {"S": "x" * self.rng.randrange(50, 2000)}})

    def claim_and_complete(self) -> None:
        out = self.call("query", TableName=TABLE, IndexName="StatusIndex", KeyConditionExpression="#s = :p",
                        ExpressionAttributeNames={"#s": "status"}, Limit=5,
                        ExpressionAttributeValues={":p": {"S": "pending"}})
        for item in (out or {}).get("Items", []):
            key = {"jobId": item["jobId"]}
            claimed = self.call("update_item", TableName=TABLE, Key=key, UpdateExpression="SET #s = :c, worker = :w",
                                ConditionExpression="#s = :p", ExpressionAttributeNames={"#s": "status"},
                                ExpressionAttributeValues={":p": {"S": "pending"}, ":c": {"S": "processing"},
                                                           ":w": {"S": str(self.n)}})
            if claimed is None:
                continue  # another worker won the job
            with self.stats.lock:
                if item["jobId"]["S"] in self.stats.claimed:
                    self.stats.double_claims += 1
                self.stats.claimed.add(item["jobId"]["S"])
            self.call("update_item", TableName=TABLE, Key=key, UpdateExpression="SET #s = :d, finishedAt = :t",
                      ExpressionAttributeNames={"#s": "status"},
                      ExpressionAttributeValues={":d": {"S": "completed"}, ":t": {"S": f"{time.time():.6f}"}})
            return

    def read(self) -> None:
        if self.rng.random() < 0.5 and self.created:
            self.call("get_item", TableName=TABLE, Key={"jobId": {"S": f"w{self.n}-{self.rng.randint(1, self.created)}"}})
        else:
            self.call("query", TableName=TABLE, IndexName="UserIndex", KeyConditionExpression="userId = :u",
                      ExpressionAttributeValues={":u": {"S": f"user{self.rng.randrange(20)}"}}, Limit=20,
                      ScanIndexForward=False)

    def prune(self) -> None:
        out = self.call("query", TableName=TABLE, IndexName="StatusIndex", KeyConditionExpression="#s = :d",
                        ExpressionAttributeNames={"#s": "status"}, Limit=10,
                        ExpressionAttributeValues={":d": {"S": "completed"}})
        items = (out or {}).get("Items", [])
        if items:
            self.call("batch_write_item", RequestItems={TABLE: [
                {"DeleteRequest": {"Key": {"jobId": i["jobId"]}}} for i in items]})


def soak(seconds: float, workers: int, interval: float, data_dir: str, rss_bound_mb: float, fd_bound: int) -> int:
    server = ServerProcess("--no-throttling", data_dir=data_dir).start()
    stats, stop = Stats(), threading.Event()
    try:
        server.client().create_table(**job_table_spec(TABLE))
        pool = [Worker(server, n, stats, stop) for n in range(workers)]
        threads = [threading.Thread(target=w.run, daemon=True) for w in pool]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        time.sleep(min(interval, seconds))  # warm-up: caches fill, connections open
        stats.take()
        warm_rss, warm_fds = process_figures(server.proc.pid)
        print(f"after warm-up: rss={warm_rss / 1024:.1f} MB fds={warm_fds}", flush=True)
        all_latencies: list[float] = []
        total_ops = 0
        while time.monotonic() - started < seconds:
            time.sleep(interval)
            ops, lat = stats.take()
            total_ops += ops
            all_latencies += lat
            rss, fds = process_figures(server.proc.pid)
            print(f"[{time.monotonic() - started:6.0f}s] {ops / interval:7.0f} ops/s p99={_p99(lat) * 1000:6.1f} ms "
                  f"rss={rss / 1024:6.1f} MB fds={fds} conflicts={stats.conflicts} 5xx={stats.server_errors}",
                  flush=True)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        end_rss, end_fds = process_figures(server.proc.pid)
        elapsed = time.monotonic() - started - min(interval, seconds)
        print(f"total: {total_ops} ops in {elapsed:.0f}s ({total_ops / max(elapsed, 1):.0f} ops/s), "
              f"p99={_p99(all_latencies) * 1000:.1f} ms, jobs claimed={len(stats.claimed)}, "
              f"double claims={stats.double_claims}, 5xx={stats.server_errors}")
        print(f"rss: {warm_rss / 1024:.1f} MB -> {end_rss / 1024:.1f} MB (bound +{rss_bound_mb:.0f} MB); "
              f"fds: {warm_fds} -> {end_fds} (bound +{fd_bound})")
        failed = (stats.server_errors or stats.double_claims or end_rss - warm_rss > rss_bound_mb * 1024
                  or end_fds - warm_fds > fd_bound)
        print("SOAK FAILED" if failed else "soak ok")
        return 1 if failed else 0
    finally:
        stop.set()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--rss-bound-mb", type=float, default=128.0,
                        help="allowed RSS growth after warm-up (SQLite's page cache alone may take 64 MB)")
    parser.add_argument("--fd-bound", type=int, default=10)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raise SystemExit(soak(args.seconds, args.workers, args.interval, args.data_dir or tmp,
                              args.rss_bound_mb, args.fd_bound))


if __name__ == "__main__":
    main()
