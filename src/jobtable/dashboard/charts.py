"""Chart geometry for inline SVG: numbers computed here, markup in templates/_chart.html.

No charting library and no JavaScript: a page's charts are part of its HTML, so they
render without a script, print, and show up in screenshots exactly as served.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Sequence

WIDTH, HEIGHT = 1100, 240  # about the width a page shows it at, so text keeps its size
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28  # plot margins (axis labels live there)
MAX_DOTS = 40  # points drawn (with hover titles) on lines short enough to read them


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the first and last time labels stay inside the plot


@dataclass(frozen=True)
class Line:
    points: str  # "x,y x,y ..." for <polyline>
    css: str
    label: str
    dots: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, css)
    bar_labels: list[tuple[float, float, str]] = field(default_factory=list)  # horizontal bars' text
    empty: bool = False

    @property
    def plot_left(self) -> float:
        return LEFT

    @property
    def plot_bottom(self) -> float:
        return self.height - BOTTOM


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/5 x 10^n at or above value (axis maximum)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10 ** exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.3g}"


def _y_ticks(top: float, plot_height: float, integers: bool = False) -> list[Tick]:
    """Five steps (four for 2 x 10^n tops); whole-number steps only for counts."""
    count = 4 if f"{top:g}".lstrip("0.")[:1] == "2" else 5
    if integers and top < count:
        count = max(int(top), 1)
    return [Tick(TOP + plot_height - plot_height * i / count, _number(top * i / count)) for i in range(count + 1)]


def stacked_bars(title: str, labels: Sequence[str], series: dict[str, Sequence[int]],
                 css: dict[str, str] | None = None) -> Chart:
    """One bar per label, stacked by series (e.g. jobs created per hour, by status)."""
    css = css or {}
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top = nice_ceiling(max(totals, default=0))
    slot = plot_w / max(len(labels), 1)
    bar_w = max(slot * 0.75, 1.0)
    rects: list[Rect] = []
    for i, label in enumerate(labels):
        base = 0.0
        for name, values in series.items():
            count = values[i]
            if not count:
                continue
            h = plot_h * count / top
            y = TOP + plot_h - plot_h * (base + count) / top
            rects.append(Rect(LEFT + i * slot + (slot - bar_w) / 2, y, bar_w, h, css.get(name, "s0"),
                              f"{label}: {count} {name}"))
            base += count
    every = max(1, math.ceil(len(labels) / 8))
    x_ticks = [Tick(LEFT + i * slot + slot / 2, label) for i, label in enumerate(labels) if i % every == 0]
    legend = [(name, css.get(name, "s0")) for name in series]
    return Chart(title, WIDTH, HEIGHT, rects=rects, x_ticks=x_ticks, y_ticks=_y_ticks(top, plot_h, integers=True),
                 legend=legend, empty=not any(totals))


def time_label(epoch: float, span_seconds: float) -> str:
    fmt = "%H:%M" if span_seconds <= 2 * 86400 else "%m-%d %H:%M" if span_seconds <= 14 * 86400 else "%Y-%m-%d"
    return time.strftime(fmt, time.gmtime(epoch))


def line_chart(title: str, times: Sequence[float], series: dict[str, Sequence[float | None]],
               start: float, end: float, unit: str = "") -> Chart:
    """Time series as lines over [start, end] (CloudWatch metrics); gaps are missing points."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for vals in series.values() for v in vals if v is not None]
    top = nice_ceiling(max(values, default=0))
    span = max(end - start, 1.0)

    def x_of(t: float) -> float:
        return LEFT + plot_w * (t - start) / span

    lines = []
    for n, (name, vals) in enumerate(series.items()):
        points = [(x_of(t), TOP + plot_h - plot_h * v / top, t, v) for t, v in zip(times, vals) if v is not None]
        dots = [(x, y, f"{time_label(t, 0)} {name}: {_number(v)}{unit}") for x, y, t, v in points] \
            if len(points) <= MAX_DOTS else []
        lines.append(Line(" ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points), f"s{n % 8}", name, dots))
    anchors = ["start", "middle", "middle", "middle", "end"]
    x_ticks = [Tick(x_of(start + span * i / 4), time_label(start + span * i / 4, span), anchors[i]) for i in range(5)]
    return Chart(title, WIDTH, HEIGHT, lines=lines, x_ticks=x_ticks, y_ticks=_y_ticks(top, plot_h),
                 legend=[(line.label, line.css) for line in lines], empty=not values)


def horizontal_bars(title: str, rows: Sequence[tuple[str, float]], css: str = "s0") -> Chart:
    """Ranked bars, largest first (Contributor Insights' top keys)."""
    row_h, label_w = 22, 260
    height = TOP + BOTTOM + row_h * max(len(rows), 1)
    top = nice_ceiling(max((v for _, v in rows), default=0))
    plot_w = WIDTH - label_w - RIGHT - 40
    rects, labels = [], []
    for i, (label, value) in enumerate(rows):
        y = TOP + i * row_h
        w = plot_w * value / top
        rects.append(Rect(label_w, y + 3, max(w, 1.0), row_h - 6, css, f"{label}: {_number(value)}"))
        labels.append((label_w + w + 4, y + row_h / 2, _number(value)))
        labels.append((4, y + row_h / 2, label if len(label) <= 36 else label[:35] + "…"))
    return Chart(title, WIDTH, height, rects=rects, bar_labels=labels, empty=not rows)
