// Behaviour shared by every page: GOV.UK components, CSRF for htmx, focus after swaps.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

// GOV.UK's notification banners and error summary take focus when they start. When this
// script arrives late and the user is already typing in a field (signing in straight after
// "You have signed out"), that would send the rest of their keystrokes nowhere: leave focus
// where they put it.
if (document.activeElement?.matches("input, select, textarea")) {
  const focusing = '[data-module="govuk-notification-banner"], [data-module="govuk-error-summary"]';
  for (const element of document.querySelectorAll(focusing)) {
    element.dataset.disableAutoFocus = "true";
  }
}
initAll();

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content;

// Every htmx request that changes something carries the CSRF token.
document.body.addEventListener("htmx:configRequest", (event) => {
  if (csrfToken && event.detail.verb !== "get") {
    event.detail.headers["X-CSRFToken"] = csrfToken;
  }
});

// After a swap, start GOV.UK components in the new content and move focus where the
// new content asks (data-focus-after-swap), so keyboard and screen reader users
// land on what changed rather than at the top of the page. On the call page that is the
// heading of the step the handler is now on (tabindex="-1"): its result is read out by
// the step's own live region, once. A form sent back with errors goes first: the button
// that sent it is gone, so focus goes to the first field in error, whose error message is
// read with it (aria-describedby).
const FIELDS_IN_ERROR =
  ".govuk-form-group--error input:not([type=hidden]), .govuk-form-group--error select, .govuk-form-group--error textarea";

document.body.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  initAll({ scope: target });
  const focusTarget =
    target.querySelector(FIELDS_IN_ERROR) ??
    target.querySelector("[data-focus-after-swap]") ??
    (target.matches("[data-focus-after-swap]") ? target : null);
  if (focusTarget) {
    if (!focusTarget.hasAttribute("tabindex") && !focusTarget.matches("a, button, input, select, textarea")) {
      focusTarget.setAttribute("tabindex", "-1");
    }
    focusTarget.focus();
  }
});

// A response that asks the browser to sign in again (expired session).
document.body.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status !== 401) {
    const region = document.getElementById("app-live-errors");
    if (region) {
      region.textContent = "Sorry, there is a problem with the service. Try again.";
    }
  }
});

// A search box that searches as you type only starts listening once htmx has set the page
// up. What was typed before then (a handler who starts typing the moment the call opens)
// would wait for a key that never comes, so search for it as soon as htmx is ready.
htmx.onLoad((content) => {
  for (const box of content.querySelectorAll("form[hx-trigger] input[autofocus]")) {
    if (box.value !== box.defaultValue) {
      htmx.trigger(box.form, "submit");
    }
  }
});

// One request at a time where a page says so (data-one-request: the call page's steps). While
// a form's request is in flight its button says so ("Checking…", from the form's data-busy,
// else "Sending…"), marked aria-busy and aria-disabled, and every other submit in the region
// is refused until the answer comes: an "End call" pressed while answers are being checked
// is not sent. htmx drops a second request of its own too (hx-sync on the region); this also
// covers a form posted without htmx, which then leaves the page. The search box is exempt:
// it asks as the handler types, and choosing a record meanwhile is not a second submit.
const busyRegions = new WeakSet();
const idleButtons = new Map();

const guardedRegion = (element) => {
  const form = element?.closest?.("form");
  if (form?.matches('[role="search"]')) return null;
  return element?.closest?.("[data-one-request]") ?? null;
};

function showBusy(form, submitter) {
  const button = submitter ?? form?.querySelector("button[type=submit], input[type=submit]");
  if (!button || idleButtons.has(button)) return;
  idleButtons.set(button, button.innerHTML);
  button.textContent = form.dataset.busy ?? "Sending…";
  button.setAttribute("aria-busy", "true");
  button.setAttribute("aria-disabled", "true");
  button.classList.add("app-button--busy");
}

function showIdle() {
  for (const [button, html] of idleButtons) {
    button.innerHTML = html;
    button.removeAttribute("aria-busy");
    button.removeAttribute("aria-disabled");
    button.classList.remove("app-button--busy");
  }
  idleButtons.clear();
}

document.addEventListener(
  "submit",
  (event) => {
    const region = guardedRegion(event.target);
    if (!region) return;
    if (busyRegions.has(region)) {
      event.preventDefault();
      event.stopPropagation(); // nor does htmx send it
      return;
    }
    if (!event.target.matches("[hx-post], [hx-get]")) {
      busyRegions.add(region); // a plain post: the page is on its way
      showBusy(event.target, event.submitter);
    }
  },
  true,
);

document.body.addEventListener("htmx:beforeRequest", (event) => {
  const region = guardedRegion(event.detail.elt);
  if (!region) return;
  if (busyRegions.has(region)) {
    event.preventDefault();
    return;
  }
  busyRegions.add(region);
  const form = event.detail.elt.closest("form");
  if (form) showBusy(form, event.detail.requestConfig?.triggeringEvent?.submitter);
});

// The answer came. When it replaced the form that asked, htmx says so again on what is left
// of the page around it (the region), and that is the one heard here.
document.body.addEventListener("htmx:afterRequest", (event) => {
  const region = guardedRegion(event.detail.elt);
  if (!region) return;
  busyRegions.delete(region);
  showIdle();
});

// Back to a page kept by the browser after a plain post: nothing is in flight any more.
window.addEventListener("pageshow", () => {
  for (const region of document.querySelectorAll("[data-one-request]")) busyRegions.delete(region);
  showIdle();
});

// The end of a call: while its summary holds an outcome's own words (or nothing), choosing
// another outcome puts that outcome's words in it, as the server would keep them
// (app/rules/call_outcome.py), and going into it selects them, so that typing replaces them.
// Words the handler typed are never replaced.
const outcomeWords = (form) => (form?.dataset.outcomeWords ? JSON.parse(form.dataset.outcomeWords) : null);
const holdsOutcomeWords = (summary, byOutcome) =>
  summary.value.trim() === "" || Object.values(byOutcome).includes(summary.value.trim());

document.addEventListener("change", (event) => {
  const field = event.target;
  const byOutcome = outcomeWords(field.form);
  const summary = field.form?.querySelector("textarea");
  if (!byOutcome || !summary || field.type !== "radio" || !(field.value in byOutcome)) return;
  if (holdsOutcomeWords(summary, byOutcome)) {
    summary.value = byOutcome[field.value];
    summary.dispatchEvent(new Event("input", { bubbles: true })); // the count, and the draft
  }
});

document.addEventListener("focusin", (event) => {
  const summary = event.target;
  const byOutcome = outcomeWords(summary.form);
  if (byOutcome && summary.matches("textarea") && holdsOutcomeWords(summary, byOutcome)) {
    summary.select();
  }
});
