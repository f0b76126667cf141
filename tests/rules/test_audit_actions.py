"""Every action the code writes to the audit log is in the vocabulary, with words for people;
and the vocabulary holds nothing the code never writes.

The code is read, not run: every call to a function that takes an `action` (audit.record,
record_now, record_on_call and the helpers that pass one on) is found in app/, and what it
passes is worked out: a code written out, a member of `AuditAction`, a module's constant, a
vocabulary function (`phone_change`, ...), or a code made from a value (`f"phone.{...}"`),
which is expanded over every value it can take.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.rules import audit_actions
from app.rules.audit_actions import AuditAction
from app.rules.phone_changes import PhoneChangeKind
from app.rules.vocabulary import ShareRequestStatus, VerificationResult

APP = Path(__file__).resolve().parents[2] / "app"
DECIDED = (ShareRequestStatus.APPROVED, ShareRequestStatus.REFUSED)
# A code made from a value: its fixed start, and every value that can follow it.
MADE_FROM = {
    "phone.": [kind.value for kind in PhoneChangeKind],
    "verification.": [result.value for result in VerificationResult],
    "duty_to_share.": [status.value for status in DECIDED],
}
VOCABULARY_FUNCTIONS = {
    "phone_change": [audit_actions.phone_change(kind) for kind in PhoneChangeKind],
    "verification_result": [
        audit_actions.verification_result(result) for result in VerificationResult
    ],
    "share_decision": [audit_actions.share_decision(status) for status in DECIDED],
}


@dataclass(frozen=True)
class Written:
    where: str
    actions: tuple[str, ...]  # empty: could not be worked out


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing_function(node, parents) -> ast.FunctionDef | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef):
            return node
    return None


def _assigned(name: str, scope: ast.AST) -> ast.expr | None:
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return node.value
    return None


def _resolve(expr: ast.expr, function, module: ast.Module) -> tuple[str, ...] | None:
    """The actions `expr` can be, or None when it is an `action` handed on by the function
    it is in (its callers are read instead), or () when it cannot be worked out."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return (expr.value,)
    if isinstance(expr, ast.Attribute) and getattr(expr.value, "id", None) == "AuditAction":
        member = getattr(AuditAction, expr.attr, None)
        return (member.value,) if member is not None else ()
    if isinstance(expr, ast.Call):
        called = expr.func.attr if isinstance(expr.func, ast.Attribute) else expr.func.id
        return tuple(VOCABULARY_FUNCTIONS.get(called, ()))
    if isinstance(expr, ast.JoinedStr) and isinstance(expr.values[0], ast.Constant):
        start = expr.values[0].value
        return tuple(start + value for value in MADE_FROM.get(start, ()))
    if isinstance(expr, ast.Name):
        if function is not None and expr.id in {a.arg for a in function.args.args}:
            return None if expr.id == "action" else ()
        value = (_assigned(expr.id, function) if function is not None else None) or _assigned(
            expr.id, module
        )
        return _resolve(value, None, module) if value is not None else ()
    return ()


def _callee(call: ast.Call, module: str) -> tuple[str, str] | None:
    """The (module, function) a call names: `audit.record(...)` names ("audit", "record"),
    `_record(...)` a function of the module it is in."""
    if isinstance(call.func, ast.Name):
        return module, call.func.id
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        return call.func.value.id, call.func.attr
    return None


def _action_given(call: ast.Call, position: int) -> ast.expr | None:
    given = [keyword.value for keyword in call.keywords if keyword.arg == "action"]
    if given:
        return given[0]
    return call.args[position] if len(call.args) > position else None


def _written() -> list[Written]:
    modules = {path: ast.parse(path.read_text()) for path in sorted(APP.rglob("*.py"))}
    functions = [
        (path.stem, node)
        for path, tree in modules.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    ]
    # Functions that write an action: audit.record, record_now and record_on_call, and any
    # function that hands its own `action` on to one of them (a helper of a service).
    takers = {("audit", "record"): 0, ("audit", "record_now"): 0, ("audit", "record_on_call"): 0}
    grown = True
    while grown:
        grown = False
        for stem, node in functions:
            name = node.name
            names = [argument.arg for argument in node.args.args]
            if (stem, name) in takers or "action" not in names:
                continue
            for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
                callee = _callee(call, stem)
                handed = _action_given(call, takers.get(callee, 0)) if callee in takers else None
                if isinstance(handed, ast.Name) and handed.id == "action":
                    takers[(stem, name)] = names.index("action")
                    grown = True
                    break
    found = []
    for path, tree in modules.items():
        parents = _parents(tree)
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            callee = _callee(call, path.stem)
            if callee not in takers:
                continue
            expr = _action_given(call, takers[callee])
            if expr is None:
                continue
            actions = _resolve(expr, _enclosing_function(call, parents), tree)
            if actions is not None:
                found.append(Written(f"{path.relative_to(APP.parent)}:{call.lineno}", actions))
    return found


WRITTEN = _written()


def test_the_code_writes_audit_events_in_many_places():
    assert len(WRITTEN) > 50


def test_every_action_written_can_be_worked_out_from_the_code():
    assert [written.where for written in WRITTEN if not written.actions] == []


def test_every_action_written_is_in_the_vocabulary():
    known = {action.value for action in AuditAction}

    unknown = {
        written.where: sorted(set(written.actions) - known)
        for written in WRITTEN
        if set(written.actions) - known
    }

    assert unknown == {}


def test_the_vocabulary_holds_only_actions_the_code_writes():
    written = {action for item in WRITTEN for action in item.actions}

    assert sorted(action.value for action in AuditAction if action.value not in written) == []


@pytest.mark.parametrize("start", sorted(MADE_FROM), ids=sorted(MADE_FROM))
def test_every_code_made_from_a_value_is_in_the_vocabulary(start):
    made = [start + value for value in MADE_FROM[start]]

    assert [code for code in made if code not in {a.value for a in AuditAction}] == []


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (audit_actions.phone_change(PhoneChangeKind.RELABELLED), AuditAction.PHONE_RELABELLED),
        (
            audit_actions.verification_result(VerificationResult.FAILED),
            AuditAction.VERIFICATION_FAILED,
        ),
        (
            audit_actions.share_decision(ShareRequestStatus.REFUSED),
            AuditAction.DUTY_TO_SHARE_REFUSED,
        ),
    ],
    ids=["phone", "verification", "duty-to-share"],
)
def test_a_vocabulary_function_names_the_member_for_its_value(made, expected):
    assert made is expected


def test_a_request_still_waiting_has_no_decision_to_record():
    with pytest.raises(ValueError):
        audit_actions.share_decision(ShareRequestStatus.PENDING)


def test_every_action_reads_as_a_sentence_and_codes_are_unique():
    assert all(
        action.label[0].isupper() and not action.label.endswith(".") for action in AuditAction
    )
    assert len({action.value for action in AuditAction}) == len(AuditAction)
