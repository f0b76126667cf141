"""Simple charts drawn on the server as SVG: numbers in, geometry out.

The page's content security policy allows no inline styles, so every size and position is an
SVG attribute computed here; the template only writes them out, and `static/css/app.css`
gives the text its font and the drawing its colours. Each chart is a picture of the table
that follows it, which is what screen readers read.

A chart fits whatever width it is given, from a 320 px phone to a 1920 px screen: it is drawn
as wide as its container (positions across are percentages), and only its height is fixed.
Text is never scaled with the drawing, so it stays the page's size. Two kinds:

- `bar_chart`, horizontal bars for a few categories ("Overdue", "4 weeks or more"): each bar
  under its own line of words, so labels of any length never run into each other;
- `column_chart`, a column a week: labels under the columns are thinned, a power of two
  apart counting back from the newest, once the container is too narrow to give every label
  its room (CSS container queries, a class per width, `TICK_WIDTHS`), and the numbers above
  the columns are shown only where every one of them fits.
"""

from dataclasses import dataclass

# Horizontal bars: a line of words, then the bar under it, in CSS pixels.
ROW_HEIGHT = 52
TEXT_BASELINE = 18  # from the top of a row
BAR_TOP = 25
BAR_THICKNESS = 16

# Columns, in CSS pixels.
CHART_HEIGHT = 120  # the tallest column
TOP_SPACE = 26  # above the tallest column, for its number
LABEL_SPACE = 30  # under the columns, for their labels
COLUMN_SHARE = 0.6  # of the width each column has, the rest being the gap

# How wide a character of chart text is at most, in CSS pixels (16 px GDS Transport or
# Arial), and the space kept between two labels.
CHARACTER_WIDTH = 10
LABEL_GAP = 8
# The container widths (CSS pixels) at which labels are shown or hidden: static/css/app.css
# has a container query for each.
TICK_WIDTHS = (240, 320, 400, 480, 560, 640, 800, 960, 1280, 1600, 1920)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int  # the top of its row
    width: float  # a percentage of the drawing's width

    @property
    def text_y(self) -> int:
        return self.y + TEXT_BASELINE

    @property
    def bar_y(self) -> int:
        return self.y + BAR_TOP


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    highest: int
    bar_thickness: int = BAR_THICKNESS

    @property
    def is_empty(self) -> bool:
        return self.highest == 0


def _share(value: int, highest: int) -> float:
    """A value's length as a percentage of the longest; a value above nought is never drawn
    thinner than one unit, so it never looks like nothing."""
    if not highest or not value:
        return 0
    return max(round(value * 100 / highest, 2), 1)


def bar_chart(title: str, values: list[tuple[str, int]]) -> BarChart:
    """A horizontal bar for each category, the highest value the full width, each under a line
    saying its label and value."""
    highest = max((value for _, value in values), default=0)
    bars = [
        Bar(label=label, value=value, y=index * ROW_HEIGHT, width=_share(value, highest))
        for index, (label, value) in enumerate(values)
    ]
    return BarChart(title=title, bars=bars, height=len(values) * ROW_HEIGHT, highest=highest)


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float  # percentages of the drawing's width
    width: float
    centre: float
    y: int  # CSS pixels from the top
    height: int
    shown_from: int  # the narrowest container (CSS px) its label is shown in; 0: always

    @property
    def value_y(self) -> int:
        return self.y - 6


@dataclass(frozen=True)
class ColumnChart:
    title: str
    columns: list[Column]
    highest: int
    values_from: int  # the narrowest container (CSS px) the numbers above columns show in
    height: int = TOP_SPACE + CHART_HEIGHT + LABEL_SPACE
    baseline: int = TOP_SPACE + CHART_HEIGHT

    @property
    def label_y(self) -> int:
        return self.baseline + 22

    @property
    def is_empty(self) -> bool:
        return self.highest == 0


def _text_width(text: str) -> int:
    return len(text) * CHARACTER_WIDTH + LABEL_GAP


def _narrowest(width_needed: float) -> int:
    """The narrowest of `TICK_WIDTHS` at least `width_needed` wide (0 when any will do)."""
    if width_needed <= 0:
        return 0
    return next((width for width in TICK_WIDTHS if width >= width_needed), TICK_WIDTHS[-1] + 1)


def _stride(index_from_last: int, count: int) -> int:
    """The largest power of two dividing the number of columns back from the newest: the
    newest, every second, every fourth... so the labels shown are always evenly spaced."""
    if index_from_last == 0:
        return count
    stride = 1
    while index_from_last % (stride * 2) == 0:
        stride *= 2
    return stride


def column_chart(title: str, values: list[tuple[str, int]]) -> ColumnChart:
    """A column for each value, oldest first, the highest `CHART_HEIGHT` tall. A label is
    shown once the drawing is wide enough to give it and its shown neighbours their room."""
    count = len(values)
    highest = max((value for _, value in values), default=0)
    slot = 100 / count if count else 0
    label_room = max((_text_width(label) for label, _ in values), default=0)
    value_room = max((_text_width(str(value)) for _, value in values), default=0)
    columns = []
    for index, (label, value) in enumerate(values):
        height = round(value * CHART_HEIGHT / highest) if highest else 0
        if value > 0:
            height = max(height, 1)
        stride = _stride(count - 1 - index, count)
        columns.append(
            Column(
                label=label,
                value=value,
                x=round(index * slot + slot * (1 - COLUMN_SHARE) / 2, 3),
                width=round(slot * COLUMN_SHARE, 3),
                centre=round(index * slot + slot / 2, 3),
                y=TOP_SPACE + CHART_HEIGHT - height,
                height=height,
                shown_from=0 if stride >= count else _narrowest(count * label_room / stride),
            )
        )
    return ColumnChart(
        title=title,
        columns=columns,
        highest=highest,
        values_from=_narrowest(count * value_room),
    )
