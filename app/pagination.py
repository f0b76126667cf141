"""Lists shown a page at a time: which page was asked for, and the links to its neighbours.

A view lists with `page_of(fetch)`, the one way: `fetch(page, per_page)` gives the page's rows
and how many there are in the whole list; `page_of` gives the rows and their `Pagination`,
which the `paged_list` macro draws (templates/components/paged_list.html)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import abort, request, url_for

from app.paging import page_count

T = TypeVar("T")
PER_PAGE = 25  # rows on a page of a list, unless the list says otherwise


@dataclass(frozen=True)
class Pagination:
    """Where one page sits in a list, with its links in the shape `govukPagination` takes
    (the `pagination` macro in templates/components/pagination.html)."""

    endpoint: str
    page: int
    pages: int
    total: int  # items in the whole list
    # The rest of the address (a list's filters), kept on the links to other pages.
    args: tuple[tuple[str, str], ...] = ()

    @property
    def previous(self) -> dict | None:
        return self._link(self.page - 1) if self.page > 1 else None

    @property
    def next(self) -> dict | None:
        return self._link(self.page + 1) if self.page < self.pages else None

    def _link(self, page: int) -> dict:
        href = url_for(self.endpoint, **dict(self.args), page=page)
        return {"href": href, "labelText": f"{page} of {self.pages}"}


def requested_page() -> int:
    """The page asked for in the address (`?page=`), the first by default. A page before the
    first is not found."""
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    return page


def _pagination(page: int, total: int, per_page: int) -> Pagination:
    """The pagination of this request's list, `total` items long. A page past the last is not
    found; an empty list has one page, empty."""
    pages = page_count(total, per_page)
    if page > pages:
        abort(404)
    args = tuple((key, value) for key, value in request.args.items() if key != "page")
    return Pagination(request.endpoint, page, pages, total, args)


def page_of(
    fetch: Callable[[int, int], tuple[list[T], int]], per_page: int = PER_PAGE
) -> tuple[list[T], Pagination]:
    """The page of this request's list asked for, and its pagination. `fetch(page, per_page)`
    gives a page's items and how many there are in the whole list."""
    page = requested_page()
    items, total = fetch(page, per_page)
    return items, _pagination(page, total, per_page)
