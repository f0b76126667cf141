"""How many pages a list fills: arithmetic any layer above the rules may use. Drawing a page
of a list for a request is `app/pagination.py`'s."""


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill; an empty list still has one page, empty."""
    return max(1, -(-total // per_page))
