"""The figures of bench/load.py: a line of requests sent turned into a row of the
table, the table's lines (MentorBot, bare Bolt, the simple app side by side) and the
issue's goals judged from them."""

from __future__ import annotations

from dataclasses import dataclass

from bench.load_client import DROPPED
from bench.load_traffic import Sent

CONCURRENCY = (1, 10, 50)
LATENCIES_MS = (0, 150)
PATHS = ("help", "match", "button", "home")
#: The concurrency the issue's goals are stated at.
GOAL_CONCURRENCY = 50
OK = 200
HOME_RATE = 50  # opens per second, the sustained App Home goal


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


@dataclass
class Row:
    acked_rps: float
    ack: tuple[float, float, float]
    busy: int
    served_rps: float
    e2e: tuple[float, float]
    #: Acks after Slack's 3 s, or connections dropped with no answer at all.
    late: int
    #: Answers neither 200 nor "busy" nor dropped: a server that fails fast is no ceiling.
    errors: int = 0
    #: CPU milliseconds the server spent per request it served (ack and work).
    cpu_ms: float = float("nan")


def figures(sent: list[Sent], elapsed: float) -> Row:
    """The row of the table for these requests, sent over `elapsed` seconds."""
    acks = [s.ack_s for s in sent]
    served = [s for s in sent if not s.busy and s.status == OK]
    e2e = [s.e2e_s for s in served if s.e2e_s is not None]
    span = max((s.at + s.e2e_s for s in served if s.e2e_s is not None), default=0.0)
    start = min(s.at for s in sent)
    served_rps = len(served) / max(span - start, elapsed) if e2e else len(served) / elapsed
    return Row(
        len(sent) / elapsed,
        (pct(acks, 0.5), pct(acks, 0.95), pct(acks, 0.99)),
        sum(s.busy for s in sent),
        served_rps,
        (pct(e2e, 0.5), pct(e2e, 0.95)),
        sum(s.ack_s > 3.0 or s.status == DROPPED for s in sent),
        sum(s.status not in (OK, DROPPED) and not s.busy for s in sent),
    )


def line(path: str, latency: int, conc: int, row: Row, bare: Row, simple: Row) -> str:
    """One row of the table: MentorBot's figures; bare Bolt's rate and p99 and the ratio
    of requests MentorBot served (worked on to their end) to bare Bolt's acknowledged;
    the simple app's figures and the ratio of MentorBot's served to the simple app's."""
    mentorbot = (
        f"  {path:<8} {latency:>3}ms {conc:>4} {row.acked_rps:>8.1f} {row.ack[0]:>8.1f} "
        f"{row.ack[1]:>7.1f} {row.ack[2]:>7.1f} {row.busy:>5} {row.served_rps:>9.1f} "
        f"{row.e2e[0]:>8.1f} {row.e2e[1]:>7.1f} {row.cpu_ms:>6.1f} "
        f"{bare.acked_rps:>8.1f} {bare.ack[2]:>6.1f} {row.served_rps / bare.acked_rps:>5.2f}x"
    )
    return mentorbot + (
        f" {simple.served_rps:>9.1f} {simple.ack[2]:>7.1f} {simple.e2e[0]:>8.1f} "
        f"{simple.e2e[1]:>7.1f} {simple.cpu_ms:>6.1f} {row.served_rps / simple.served_rps:>5.2f}x"
    )


def print_goals(
    results: dict[tuple[int, str, int], Row],
    ceilings: dict[tuple[str, int], Row],
    simples: dict[tuple[int, str, int], Row],
    home: Row,
    simple_home: Row,
    idle: float,
    peak: float,
) -> None:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    def vs_simple(latency: int, path: str) -> float:
        key = (latency, path, GOAL_CONCURRENCY)
        return results[key].served_rps / simples[key].served_rps

    at150 = [results[(150, p, GOAL_CONCURRENCY)] for p in PATHS]
    print("  goals (issue 16; against bare Bolt, as the issue states them):")
    print(
        f"    150 ms, 50 at once: ack p99 <= 500 ms on every path: "
        f"{verdict(all(r.ack[2] <= 500 for r in at150))} (the simple app's p99: "
        + ", ".join(f"{p} {simples[(150, p, GOAL_CONCURRENCY)].ack[2]:.0f} ms" for p in PATHS)
        + ")"
    )
    late = home.late + sum(r.late for r in results.values())
    simple_late = simple_home.late + sum(r.late for r in simples.values())
    print(
        f"    no ack over 3 s, anywhere ({late} late or dropped; the simple app "
        f"{simple_late}): {verdict(not late)}"
    )
    for path, floor in (("help", 0.7), ("match", 0.3), ("button", 0.3)):
        ratio = (
            results[(0, path, GOAL_CONCURRENCY)].served_rps
            / ceilings[(path, GOAL_CONCURRENCY)].acked_rps
        )
        print(
            f"    0 ms, 50 at once: {path} >= {floor}x bare Bolt ({ratio:.2f}x): "
            f"{verdict(ratio >= floor)}; vs the simple app {vs_simple(0, path):.2f}x"
        )
    print(
        f"    App Home {HOME_RATE}/s sustained, e2e p95 <= 1 s, none turned away: "
        f"{verdict(home.e2e[1] <= 1000 and home.busy == 0)} (the simple app: "
        f"{verdict(simple_home.e2e[1] <= 1000 and simple_home.busy == 0)})"
    )
    print(f"    RSS <= 150 MB idle: {verdict(idle <= 150)}")
    print(f"    RSS <= 250 MB under load: {verdict(peak <= 250)}")
    print(
        "  MentorBot vs the simple app, 50 at once (requests served / the simple app's; "
        "information, no goal):"
    )
    for latency in LATENCIES_MS:
        print(
            f"    {latency:>3} ms: " + ", ".join(f"{p} {vs_simple(latency, p):.2f}x" for p in PATHS)
        )
