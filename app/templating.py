"""The template environment: Flask's own, made cheaper where the call page spends its time.

Five things, all measured on the call page (README, "Figures"):

- **Template globals that are cheap to import from.** Every `{% from ... import ... %}`
  (GOV.UK Frontend's macros import one another on each field a page draws) makes Jinja
  subtract the imported template's globals from the page's. Jinja keeps a template's globals as
  a `ChainMap` over the environment's, whose keys it checks one at a time through each map: a
  tenth of the time spent drawing the call page. Here the keys come back as a set, so the
  subtraction is one set operation.
- **A block or an included template joined where it is made.** Jinja passes each piece of a
  page up through every block and include around it, one generator resumed per level; the
  call page's fields are seven or eight levels deep. Each block, parent and include here hands
  its whole output up as one string (`_JoinedCodeGenerator`).
- **Hidden fields written out directly.** A CSRF token, or what a form was shown for, is one
  `<input type="hidden">` of four attributes; WTForms' widget spends some 400 Python calls
  formatting them (its `html_params`), more than a GOV.UK field drawn from the cache, and the
  call page has a dozen. They are written here, character for character as WTForms writes
  them; a hidden field with anything more to say (attributes given when drawn, `render_kw`, a
  `disabled` flag) is still drawn by WTForms.
- **The layout's parts that are the same for everyone drawn once** (`layout_part`): the GOV.UK
  header and the menu of each role on each page, keyed by what they are drawn from and never by
  who is signed in. What is personal in them (the name in the menu's account slot, the sign-out
  form's CSRF token) is drawn on every request and put in its place.
- **A form field's HTML drawn once for the same parameters.** govuk-frontend-wtf draws each
  field by rendering a GOV.UK macro with the field's parameters (label, hint, items, value,
  error) and nothing else: the same parameters always give the same HTML. Drawing them was
  most of the time a page with forms took, and most fields are drawn with the same parameters
  on every call. The last `WIDGET_CACHE_SIZE` drawings are kept, per process, in memory only,
  keyed by the template and every parameter; a parameter of a kind this does not know (a
  lazy string, a date) draws the field afresh.
"""

import io
import pickle
import threading
from collections import ChainMap, OrderedDict
from collections.abc import Callable, Hashable, MutableMapping
from typing import Any

from flask import Flask, current_app, render_template
from flask.globals import _cv_app
from flask.templating import Environment
from govuk_frontend_wtf.gov_form_base import GovFormBase, GovIterableBase
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectFieldBase
from wtforms.meta import DefaultMeta
from wtforms.widgets import HiddenInput

from app.typed_input import RowIdMap, TypedRequest
from app.urls import BuiltUrls

WIDGET_CACHE_SIZE = 2048


class _Globals(ChainMap):
    def keys(self) -> set[str]:  # type: ignore[override]
        return set().union(*self.maps)


class _JoinedCodeGenerator(CodeGenerator):
    """Jinja's compiler, but a block, a parent template or an included template hands its
    output to the template around it as one string, joined where it was made, instead of
    passing each piece up (`yield from`, or `for event in gen: yield event`). Every piece of a
    page otherwise resumes every generator between it and the top: the call page's fields sit
    seven or eight blocks and includes deep. The page is the same string either way; only a
    template streamed piece by piece (which this app never does) would come in fewer pieces."""

    JOINED = {
        "yield from parent_template.root_render_func(context)": (
            "yield environment.concat(parent_template.root_render_func(context))"
        ),
        "for event in gen:": "for event in (environment.concat(gen),):",
    }

    def writeline(self, x: str, node: Any = None, extra: int = 0) -> None:
        if x.startswith("yield from context.blocks["):
            x = f"yield environment.concat({x.removeprefix('yield from ')})"
        super().writeline(self.JOINED.get(x, x), node, extra)


class TemplateEnvironment(Environment):
    code_generator_class = _JoinedCodeGenerator

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return _Globals(d or {}, self.globals)


class App(BuiltUrls):
    jinja_environment = TemplateEnvironment
    request_class = TypedRequest
    url_map_class = RowIdMap


class _Uncacheable(Exception):
    pass


class _Key(pickle.Pickler):
    """Parameters as bytes that tell apart everything that draws differently: markup from text
    with the same characters, True from 1, a list from a tuple, attributes given in another
    order. Plain data and markup only: pickle hands anything else (a subclass, a lazy string,
    a date) to `reducer_override`, which refuses it."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Markup or obj is Markup:
            return NotImplemented  # pickled as usual
        raise _Uncacheable


def _key(params: dict) -> bytes:
    buffer = io.BytesIO()
    _Key(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(params)
    return buffer.getvalue()


class WidgetCache:
    """The HTML of the last `size` fields drawn, by template and parameters."""

    def __init__(self, size: int = WIDGET_CACHE_SIZE) -> None:
        self.size = size
        self._drawn: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def draw(self, template: str, params: dict, render: Callable[[], Markup]) -> Markup:
        try:
            key = (template, _key(params))
        except _Uncacheable:
            return render()
        with self._lock:
            html = self._drawn.get(key)
            if html is not None:
                self._drawn.move_to_end(key)
                return html
        html = render()
        with self._lock:
            self._drawn[key] = html
            if len(self._drawn) > self.size:
                self._drawn.popitem(last=False)
        return html

    def __len__(self) -> int:
        return len(self._drawn)


def _draw_widget(widget: GovFormBase, params: dict) -> Markup:
    def render() -> Markup:
        # What the widget itself returns: a template's output, escaped as Jinja drew it.
        return Markup(render_template(widget.template, params=params))  # noqa: S704

    # The app in whose context this draws, read without the `current_app` proxy's calls: a
    # page draws dozens of fields.
    cache = _cv_app.get().app.extensions.get("widget_cache")
    return cache.draw(widget.template, params, render) if cache is not None else render()


_wtforms_render_field = DefaultMeta.render_field


def _attribute(value: Any) -> Markup:
    """An attribute's value escaped as WTForms escapes it (`wtforms.widgets.html_params`)."""
    text = escape(value)
    return text.replace(Markup('"'), Markup("&quot;")) if '"' in text else text


def _render_field(meta: DefaultMeta, field: Any, render_kw: dict) -> Markup:
    """A field as WTForms draws it, a plain hidden field written out directly: the same
    attributes in the same order (id, name, type, value) and the same escaping."""
    if (
        type(field.widget) is HiddenInput
        and not render_kw
        and getattr(field, "render_kw", None) is None
        and getattr(field, "_datalist", None) is None
        and "disabled" not in vars(field.flags)
    ):
        id_, name, value = _attribute(field.id), _attribute(field.name), _attribute(field._value())
        # Each part escaped above, as WTForms escapes it.
        return Markup(f'<input id="{id_}" name="{name}" type="hidden" value="{value}">')  # noqa: S704
    return _wtforms_render_field(meta, field, render_kw)


LAYOUT_CACHE_SIZE = 256


def layout_part(template: str, macro: str, key: dict, params: Callable[[], dict]) -> Markup:
    """The GOV.UK macro `macro` of `template` drawn with `params()`, once per process for the
    same `key`: for a part of the layout that `key` says everything about, the same for
    everyone who shares it. Never give it anything personal: it is kept for every request."""

    def render() -> Markup:
        module = current_app.jinja_env.get_template(template).module
        return Markup(getattr(module, macro)(params()))  # noqa: S704 (a macro's own output)

    cache = _cv_app.get().app.extensions.get("layout_cache")
    return cache.draw(f"{template}#{macro}", key, render) if cache is not None else render()


def layout_macro(template: str, macro: str, params: dict) -> Markup:
    """A layout part drawn from `params` alone (the header), for templates."""
    return layout_part(template, macro, params, lambda: params)


def _merge(base: Any, given: Any) -> Any:
    """`given` merged into `base` as govuk-frontend-wtf's `deepmerge` merger does it (lists
    appended, dicts merged key by key into `base`, anything else replaced), without its
    dozen calls a value."""
    if isinstance(base, list) and isinstance(given, list):
        return base + given
    if isinstance(base, dict) and isinstance(given, dict):
        for key, value in given.items():
            base[key] = _merge(base[key], value) if key in base else value
        return base
    return given


def _merge_params(widget: GovFormBase, base: Any, given: Any) -> Any:
    return _merge(base, given)


_gov_iterable_call = GovIterableBase.__call__


def _draw_choices(widget: GovIterableBase, field: Any, **kwargs) -> Markup:
    """Radios or checkboxes of a field with choices, their items made straight from the
    choices: the same text, value and `checked` govuk-frontend-wtf reads from the option
    fields WTForms would otherwise build, one per choice, on every drawing. Anything else
    (a single checkbox) is drawn as govuk-frontend-wtf draws it."""
    if not isinstance(field, SelectFieldBase):
        return _gov_iterable_call(widget, field, **kwargs)
    kwargs.setdefault("id", field.id)
    if "required" not in kwargs and "required" in getattr(field, "flags", []):
        kwargs["required"] = True
    items = []
    for choice in field._iter_choices_normalized():
        item = {"text": choice.label or choice.value, "value": str(choice.value)}
        if choice.selected:
            item["checked"] = True
        items.append(item)
    kwargs["items"] = items
    return GovFormBase.__call__(widget, field, **kwargs)


def init_widget_cache(app: Flask) -> None:
    if app.config["WIDGET_CACHE"]:
        app.extensions["widget_cache"] = WidgetCache()
        app.extensions["layout_cache"] = WidgetCache(LAYOUT_CACHE_SIZE)
    app.add_template_global(layout_macro)
    GovFormBase.render = _draw_widget  # every govuk-frontend-wtf field draws through here
    GovFormBase.merge_params = _merge_params  # and merges its parameters here
    GovIterableBase.__call__ = _draw_choices  # radios and checkboxes with choices
    DefaultMeta.render_field = _render_field  # and every WTForms field, hidden ones written out
