import pytest

from app.rules.reports import DISCLOSURE_ONLY_CHANGE, report_problem
from app.rules.vocabulary import EntryCategory

CHANGE = EntryCategory.CHANGE_OF_CIRCUMSTANCES


@pytest.mark.parametrize(
    ("category", "by_representative", "may_act", "problem"),
    [
        (CHANGE, True, False, DISCLOSURE_ONLY_CHANGE),
        (CHANGE, True, True, None),
        (CHANGE, False, False, None),
        (CHANGE, False, True, None),
        *[
            (category, True, False, None)
            for category in EntryCategory
            if category is not EntryCategory.CHANGE_OF_CIRCUMSTANCES
        ],
    ],
    ids=[
        "disclosure-only-representative-reports-a-change",
        "representative-who-may-act-reports-a-change",
        "anyone-else-reports-a-change-in-good-faith",
        "resident-reports-a-change",
        *[
            f"disclosure-only-representative-reports-{category.value}"
            for category in EntryCategory
            if category is not EntryCategory.CHANGE_OF_CIRCUMSTANCES
        ],
    ],
)
def test_only_a_disclosure_only_representative_is_refused_a_change_of_circumstances(
    category, by_representative, may_act, problem
):
    assert report_problem(category, by_representative, may_act) == problem
