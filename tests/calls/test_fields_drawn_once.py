"""Form fields are drawn once for the same parameters (app/templating.py). A field drawn on
one handler's call must never turn up on another's: what one call's page drew with a caller's
name in it is only ever shown for that name."""

from tests import factories


def _caller_step(call) -> str:
    return call.client.get(call.url + "?step=caller").get_data(as_text=True)


def test_a_name_drawn_on_one_call_is_not_drawn_on_another(signed_in_client, start_call, resident):
    first = start_call(signed_in_client())
    first.select(resident)
    first.caller("third-party", name="Orla Quennell", relationship="neighbour")
    second = start_call(signed_in_client(), number="07700 900555")
    second.select(factories.make_resident(forename="Ines", surname="Abara"))
    second.caller("third-party", name="", relationship="neighbour")

    for _ in range(2):  # the second time, from the cache
        assert 'value="Orla Quennell"' in _caller_step(first)
        page = _caller_step(second)
        assert "Quennell" not in page
        assert 'name="caller-caller_name" type="text"' in page


def test_an_error_drawn_for_one_post_is_not_drawn_for_the_next(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    call.select(resident)
    too_long = "x" * 201

    refused = call.caller("third-party", name=too_long, relationship="neighbour")
    accepted = call.caller("third-party", name="Orla", relationship="neighbour")

    assert "Name must be 200 characters or fewer" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    page = _caller_step(call)
    assert "200 characters" not in page and too_long not in page
    assert 'value="Orla"' in page
