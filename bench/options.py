"""Command-line options of ``python -m bench.run`` and the --quick profile."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from bench.peers import PEERS, expand_peer_names
from bench.rawload import RAW_WORKLOADS
from bench.workloads import WORKLOADS_BY_NAME

DEFAULT_SIZES = [1_000, 20_000, 100_000, 1_000_000]
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Options:
    sizes: list[int]
    seconds: float
    peers: list[str]
    workloads: list[str]
    raw_workloads: list[str]
    caps: dict[str, int | None]
    load_threads: int
    rounds: int
    startup_repeats: int
    trivial: bool
    backups: bool
    scan_timeout: float
    out_dir: Path
    write_docs: bool
    quick: bool
    command: str = ""
    notes: list[str] = field(default_factory=list)

    def sizes_for(self, peer: str) -> tuple[list[int], list[int]]:
        """(sizes this peer runs, sizes skipped because of its cap)."""
        cap = self.caps.get(peer)
        if cap is None:
            return list(self.sizes), []
        return [n for n in self.sizes if n <= cap], [n for n in self.sizes if n > cap]


def _int_list(text: str) -> list[int]:
    return [int(float(x)) for x in text.replace("_", "").split(",") if x.strip()]


def _name_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _caps(text: str | None) -> dict[str, int | None]:
    caps: dict[str, int | None] = {}
    for part in _name_list(text or ""):
        name, _, value = part.partition("=")
        if name not in PEERS:
            raise SystemExit(f"--cap: unknown peer {name!r}")
        caps[name] = None if value in ("", "none") else int(float(value))
    return caps


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="jobtable side by side with moto and dynalite: boto3 and raw-HTTP workloads on the seed's job table.",
    )
    parser.add_argument("--sizes", type=_int_list, help="table sizes N (default 1000,20000,100000,1000000)")
    parser.add_argument("--seconds", type=float, help="seconds each peer spends on each workload, split over the rounds (default 3)")
    parser.add_argument("--peers", type=_name_list, default=["moto", "dynalite", "jobtable"],
                        help="families (moto, dynalite, jobtable) or variants: " + ", ".join(PEERS))
    parser.add_argument("--workloads", type=_name_list, help="boto3 workloads: " + ", ".join(WORKLOADS_BY_NAME))
    parser.add_argument("--raw-workloads", type=_name_list, help="raw HTTP workloads: " + ", ".join(RAW_WORKLOADS) + " (or none)")
    parser.add_argument("--cap", help="largest N per peer, e.g. moto=20000,dynalite=1000000 (none = no cap)")
    parser.add_argument("--load-threads", type=int, default=4, help="BatchWriteItem loader threads (default 4)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per workload; peers take turns (default 3)")
    parser.add_argument("--startup-repeats", type=int, help="extra cold starts per peer for start-up time (default 2)")
    parser.add_argument("--scan-timeout", type=float, default=120.0,
                        help="abandon a whole-table Scan pass after this many seconds (default 120)")
    parser.add_argument("--no-backups", action="store_true", help="skip the backup + restore of the loaded table")
    parser.add_argument("--no-trivial", action="store_true", help="skip the trivial-server ceiling")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory (default bench/results)")
    parser.add_argument("--write-docs", action="store_true", help="regenerate the results section of docs/performance.md")
    parser.add_argument("--quick", action="store_true", help="smoke profile: N=1000, 0.5 s per workload, no extra starts")
    return parser


def parse_options(argv: list[str] | None, command: str) -> Options:
    args = build_parser().parse_args(argv)
    quick = args.quick
    caps: dict[str, int | None] = {name: spec.default_cap for name, spec in PEERS.items()}
    caps.update(_caps(args.cap))
    workloads = args.workloads or list(WORKLOADS_BY_NAME)
    raw = args.raw_workloads if args.raw_workloads is not None else list(RAW_WORKLOADS)
    raw = [] if raw == ["none"] else raw
    for name in workloads:
        if name not in WORKLOADS_BY_NAME:
            raise SystemExit(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS_BY_NAME)}")
    for name in raw:
        if name not in RAW_WORKLOADS:
            raise SystemExit(f"unknown raw workload {name!r}; choose from {', '.join(RAW_WORKLOADS)}")
    try:
        peers = expand_peer_names(args.peers)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    return Options(
        sizes=args.sizes or ([1_000] if quick else DEFAULT_SIZES),
        seconds=args.seconds if args.seconds is not None else (0.5 if quick else 3.0),
        peers=peers,
        workloads=workloads,
        raw_workloads=raw,
        caps=caps,
        load_threads=args.load_threads,
        rounds=max(1, args.rounds if args.rounds is not None else (1 if quick else 3)),
        startup_repeats=args.startup_repeats if args.startup_repeats is not None else (0 if quick else 2),
        trivial=not args.no_trivial,
        backups=not args.no_backups,
        scan_timeout=args.scan_timeout,
        out_dir=args.out,
        write_docs=args.write_docs,
        quick=quick,
        command=command,
    )
