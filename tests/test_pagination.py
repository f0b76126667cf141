import pytest
from werkzeug.exceptions import NotFound

from app.pagination import page_of, requested_page


def _paged(total: int):
    """A list of `total` items, as `page_of` sees it: one page's rows, and the total."""
    return page_of(lambda page, per_page: ([], total), 25)[1]


@pytest.mark.parametrize(
    ("address", "expected"),
    [("/locks", 1), ("/locks?page=3", 3), ("/locks?page=many", 1)],
    ids=["none-asked", "a-page", "not-a-number"],
)
def test_the_page_asked_for_is_read_from_the_address(app, address, expected):
    with app.test_request_context(address):
        page = requested_page()

    assert page == expected


def test_a_page_before_the_first_is_not_found(app):
    with app.test_request_context("/locks?page=0"), pytest.raises(NotFound):
        requested_page()


@pytest.mark.parametrize(
    ("page", "total", "expected"),
    [(1, 0, 1), (1, 25, 1), (1, 26, 2), (2, 26, 2)],
    ids=["empty", "exactly-one-page", "one-over", "last-page"],
)
def test_a_list_has_as_many_pages_as_it_needs(app, page, total, expected):
    with app.test_request_context(f"/locks?page={page}"):
        pagination = _paged(total)

    assert pagination.pages == expected


def test_a_page_past_the_last_is_not_found(app):
    with app.test_request_context("/locks?page=3"), pytest.raises(NotFound):
        _paged(26)


def test_a_middle_page_links_to_both_neighbours_saying_where_they_are(app):
    with app.test_request_context("/locks?page=2"):
        pagination = _paged(75)

        links = (pagination.previous, pagination.next)

    assert links == (
        {"href": "/locks?page=1", "labelText": "1 of 3"},
        {"href": "/locks?page=3", "labelText": "3 of 3"},
    )


def test_the_first_and_last_pages_link_only_inward(app):
    with app.test_request_context("/locks"):
        first = _paged(50)
    with app.test_request_context("/locks?page=2"):
        last = _paged(50)

        links = (first.previous, first.next, last.previous, last.next)

    assert links == (
        None,
        {"href": "/locks?page=2", "labelText": "2 of 2"},
        {"href": "/locks?page=1", "labelText": "1 of 2"},
        None,
    )


def test_a_paginated_list_fetches_the_page_asked_for_and_counts_the_whole_list(app):
    asked = []

    def fetch(page, per_page):
        asked.append((page, per_page))
        return ["item 26"], 26

    with app.test_request_context("/locks?page=2"):
        items, pagination = page_of(fetch, 25)

    assert asked == [(2, 25)]
    assert items == ["item 26"]
    assert (pagination.page, pagination.pages, pagination.total) == (2, 2, 26)


def test_the_links_to_other_pages_keep_the_lists_filters(app):
    with app.test_request_context("/locks?page=2&status=open&area=housing"):
        pagination = _paged(80)

        links = (pagination.previous["href"], pagination.next["href"])

    assert links == (
        "/locks?status=open&area=housing&page=1",
        "/locks?status=open&area=housing&page=3",
    )
