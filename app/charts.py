"""Simple bar charts drawn on the server as SVG: numbers in, bar geometry out.

The page's content security policy allows no inline styles, so every size and position is an
SVG attribute computed here; the template only writes them out. Each chart is shown beside a
table of the same numbers for people who cannot see it.
"""

from dataclasses import dataclass

CHART_HEIGHT = 120  # the tallest bar, in SVG units
BAR_WIDTH = 24
GAP = 8
LABEL_SPACE = 20  # under the bars, for their labels
TOP_SPACE = 12  # above the tallest bar, for its value


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: int
    y: int
    width: int
    height: int

    @property
    def label_x(self) -> int:
        return self.x + self.width // 2

    @property
    def value_y(self) -> int:
        return self.y - 2


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int  # the whole drawing, labels included
    baseline: int  # where the bars stand
    highest: int

    @property
    def is_empty(self) -> bool:
        return self.highest == 0


def bar_chart(title: str, values: list[tuple[str, int]]) -> BarChart:
    """Bars side by side, the highest value `CHART_HEIGHT` tall; a value above nought is
    never drawn thinner than one unit, so it never looks like nothing."""
    highest = max((value for _, value in values), default=0)
    bars = []
    for index, (label, value) in enumerate(values):
        height = round(value * CHART_HEIGHT / highest) if highest else 0
        if value > 0:
            height = max(height, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=GAP + index * (BAR_WIDTH + GAP),
                y=TOP_SPACE + CHART_HEIGHT - height,
                width=BAR_WIDTH,
                height=height,
            )
        )
    return BarChart(
        title=title,
        bars=bars,
        width=GAP + len(values) * (BAR_WIDTH + GAP),
        height=TOP_SPACE + CHART_HEIGHT + LABEL_SPACE,
        baseline=TOP_SPACE + CHART_HEIGHT,
        highest=highest,
    )
