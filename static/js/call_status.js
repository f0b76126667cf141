// The call page keeps itself true without a click (docs/architecture.md, "The call page is
// never stale"). Every few seconds, and when the tab comes back into view, it asks the call's
// status; the server decides everything, and the page only asks the record panel again when
// the answer changed. It says at once, once, when a verification, the call or the session
// ends; warns before the idle timeout signs the handler out; and keeps what is typed in this
// tab (sessionStorage, never anything that leaves the browser) until it is sent. Without
// JavaScript the page works as before.
const POLL_MS = 3000;
// A call with a phone line is asked more often: the page says the caller hung up within
// two seconds of the phone system saying so.
const LINE_POLL_MS = 1500;

const screen = document.getElementById("call-screen");
const { statusUrl, staff, call } = screen.dataset;
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content;
const byId = (id) => document.getElementById(id);

// --- What was typed: a draft per form, for this member of staff and this call -----------

const draftPrefix = `call-draft:${staff}:`;
const draftKey = (name) => `${draftPrefix}${call}:${name}`;
const isChoice = (field) => field.type === "radio" || field.type === "checkbox";
const typedFields = (form) =>
  [...form.elements].filter(
    (field) => field.name && !["hidden", "submit", "button"].includes(field.type),
  );

// What the form was shown for (the record a report is about): a draft goes back only there.
// Its CSRF token is the session's, and changes when the handler signs in again.
const shownFor = (form) =>
  [...form.querySelectorAll("input[type=hidden]")]
    .filter((field) => !field.name.endsWith("csrf_token"))
    .map((field) => `${field.name}=${field.value}`)
    .join("&");

function readDraft(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch {
    return null;
  }
}

function saveDraft(form) {
  const values = {};
  const texts = [];
  for (const field of typedFields(form)) {
    if (isChoice(field)) {
      values[field.name] ??= [];
      if (field.checked) values[field.name].push(field.value);
      continue;
    }
    values[field.name] = field.value;
    if (field.value.trim() && field.matches("textarea, input")) {
      const label = form.querySelector(`label[for="${field.id}"]`)?.textContent.trim();
      texts.push([label ?? field.name, field.value]);
    }
  }
  const draft = { shownFor: shownFor(form), values, texts };
  try {
    sessionStorage.setItem(draftKey(form.dataset.draft), JSON.stringify(draft));
  } catch {
    // Storage full or turned off: the form still works, it is just not kept.
  }
}

function restoreDraft(form) {
  const draft = readDraft(draftKey(form.dataset.draft));
  if (!draft || draft.shownFor !== shownFor(form)) return;
  for (const field of typedFields(form)) {
    const value = draft.values[field.name];
    if (value === undefined) continue;
    if (!isChoice(field)) field.value = value;
    // A click, not `checked`: GOV.UK's radios and checkboxes reveal what goes with them.
    else if (field.checked !== value.includes(field.value)) field.click();
  }
}

function forgetDrafts(prefix) {
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith(prefix)) sessionStorage.removeItem(key);
  }
}

// --- The call has ended: say what was typed and never sent -------------------------------

function showUnsent() {
  const drafts = Object.keys(sessionStorage)
    .filter((key) => key.startsWith(`${draftPrefix}${call}:`))
    .flatMap((key) => readDraft(key)?.texts ?? []);
  if (!drafts.length) return forgetDrafts(`${draftPrefix}${call}:`);
  const list = byId("unsaved-drafts-list");
  for (const [label, text] of drafts) {
    const row = document.createElement("div");
    row.className = "govuk-summary-list__row";
    row.append(
      cell("dt", "govuk-summary-list__key", label),
      cell("dd", "govuk-summary-list__value app-wrap", text),
    );
    list.append(row);
  }
  byId("unsaved-drafts").hidden = false;
  byId("discard-drafts").addEventListener("click", () => {
    forgetDrafts(`${draftPrefix}${call}:`);
    byId("unsaved-drafts").hidden = true;
  });
}

function cell(tag, className, text) {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
}

// --- The live call: its status, asked every few seconds ------------------------------------

let shownVersion = screen.dataset.version;
let announced = screen.dataset.ended; // what the page already said, so it is said once
let adoptNext = false; // the panel was just fetched: take the next answer as what it shows
let signedOut = false;
let lineEnded = "lineEnded" in (byId("line")?.dataset ?? {});
let pollTimer;
let lapseTimer;
// The last answer, when it came and its ETag: while nothing changed the server says "not
// modified" (304), and the page counts down from that answer.
let answer;
let answeredAt;
let answerTag;

async function poll(method = "GET") {
  clearTimeout(pollTimer);
  if (signedOut) return;
  try {
    const headers = { Accept: "application/json" };
    if (method !== "GET" && csrfToken) headers["X-CSRFToken"] = csrfToken;
    if (method === "GET" && answer && answerTag) headers["If-None-Match"] = answerTag;
    const response = await fetch(statusUrl, { method, headers, cache: "no-store" });
    if (response.status === 401) return signOut(await response.json());
    if (response.status === 404) return noLongerYours();
    if (response.status === 304 && answer) update(aged(answer));
    else if (response.ok) {
      answer = await response.json();
      answeredAt = performance.now();
      answerTag = response.headers.get("ETag");
      update(answer);
    }
  } catch {
    // The network blinked, or the answer was not JSON: ask again at the next turn.
  }
  clearTimeout(pollTimer); // one turn waiting, however many answers came in meanwhile
  pollTimer = setTimeout(poll, byId("line") && !lineEnded ? LINE_POLL_MS : POLL_MS);
}

// The last answer as it stands now: the seconds it gave, less the time since it came.
function aged(status) {
  const elapsed = Math.floor((performance.now() - answeredAt) / 1000);
  const less = (seconds) => (seconds === null ? null : Math.max(seconds - elapsed, 0));
  return {
    ...status,
    verified_for_seconds: less(status.verified_for_seconds),
    session: { ...status.session, ends_in_seconds: less(status.session.ends_in_seconds) },
  };
}

function update(status) {
  if (adoptNext) {
    adoptNext = false;
    shownVersion = status.version;
  } else if (status.version !== shownVersion) {
    shownVersion = status.version;
    htmx.trigger(document.body, "call-changed"); // the record panel decides again
  }
  if (status.ended && !status.may_disclose) {
    say(status.ended);
  } else if (status.may_disclose) {
    byId("call-alert").hidden = true;
    announced = "";
  }
  clearTimeout(lapseTimer);
  if (status.lapse && status.verified_for_seconds !== null) {
    lapseTimer = setTimeout(() => lapse(status.lapse), status.verified_for_seconds * 1000);
  }
  if (status.line?.ended && !lineEnded) lineEnds(status.line.ended);
  else if (status.line?.live && lineEnded) lineBack();
  warnBeforeTimeout(status.session);
}

// The call is not this handler's any more: putting it through to them failed (their browser
// did not answer), and it went back to the waiting calls for someone else.
function noLongerYours() {
  clearTimeout(pollTimer);
  byId("record").replaceChildren();
  byId("call-alert").hidden = false;
  byId("call-alert-text").textContent =
    "Do not disclose. This call went back to the waiting calls: it was not answered here.";
}

// A call back to the resident was answered: the line is live again, and the steps are drawn
// again (the answer may have verified the caller).
function lineBack() {
  lineEnded = false;
  const state = byId("line-state");
  if (state) state.textContent = "The resident answered the call back and is put through to you";
  byId("line-controls")?.removeAttribute("hidden");
  byId("call-alert").hidden = true;
  announced = "";
  htmx.ajax("GET", location.pathname, { target: "#call-steps", swap: "innerHTML" });
}

// The phone system said the line ended: say so where the line is shown, let go of the
// browser's phone, and draw the steps again, so the end of the call opens with what the
// server suggests now ("Call dropped", or the outcome so far).
function lineEnds(words) {
  lineEnded = true;
  const state = byId("line-state");
  if (state) state.textContent = words;
  const controls = byId("line-controls");
  if (state && controls?.contains(document.activeElement)) {
    state.setAttribute("tabindex", "-1"); // the buttons go: focus stays near them
    state.focus();
  }
  controls?.setAttribute("hidden", "");
  document.dispatchEvent(new CustomEvent("line-ended"));
  htmx.ajax("GET", location.pathname, { target: "#call-steps", swap: "innerHTML" });
}

// Say once, in the alert, that nothing may be disclosed and why.
function say(ended) {
  const standing = byId("verification-standing");
  if (standing) standing.textContent = `${ended}.`;
  if (ended === announced) return;
  announced = ended;
  byId("call-alert").hidden = false;
  byId("call-alert-text").textContent = `Do not disclose. ${ended}.`;
}

// The verification lapses now, as the server said it would: take away what it allowed at
// once, then ask the server, which fetches the panel decided again.
function lapse(ended) {
  byId("disclosed")?.remove();
  const banner = byId("disclosure-status");
  if (banner) {
    banner.classList.replace("app-disclosure--allowed", "app-disclosure--refused");
    banner.querySelector("p").textContent = `Do not disclose. ${ended}.`;
  }
  say(ended);
  shownVersion = "lapsed";
  poll();
}

// --- The session: warn before the idle timeout, and say why it ended ----------------------

function warnBeforeTimeout(session) {
  const dialog = byId("timeout-warning");
  if (!dialog.showModal) return; // a browser without <dialog>: the session still ends, said why
  const warn = session.can_stay && session.ends_in_seconds <= session.warn_within_seconds;
  if (!warn) {
    if (dialog.open) dialog.close();
    return;
  }
  const seconds = session.ends_in_seconds;
  const minutes = Math.ceil(seconds / 60);
  byId("timeout-left").textContent =
    seconds < 60 ? "less than a minute" : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  if (!dialog.open) dialog.showModal(); // focus goes to "Stay signed in", and back on close
}

function staySignedIn() {
  byId("timeout-warning").close();
  poll("POST"); // a request of the handler's own: it renews the session
}

function signOut(answer) {
  signedOut = true;
  clearTimeout(lapseTimer);
  clearTimeout(pollTimer);
  if (answer.reason === "signed-out") forgetDrafts(draftPrefix);
  if (byId("timeout-warning").open) byId("timeout-warning").close();
  byId("record").replaceChildren(byId("record-signed-out").content.cloneNode(true));
  byId("signed-out").hidden = false;
  byId("signed-out-reason").textContent = answer.message;
}

function startLiveCall() {
  for (const form of document.querySelectorAll("form[data-draft]")) restoreDraft(form);
  const keep = (event) => event.target.form?.dataset.draft && saveDraft(event.target.form);
  document.addEventListener("input", keep);
  document.addEventListener("change", keep);
  document.addEventListener("submit", (event) => {
    if (event.target.dataset.draft === "end") forgetDrafts(`${draftPrefix}${call}:`);
    if (event.target.action.endsWith("/logout")) forgetDrafts(draftPrefix);
  });

  // Any request of the page may have changed the call: ask its status straight after. A
  // form sent without errors no longer needs its draft; a form shown again gets it back.
  document.body.addEventListener("call-changed", () => (adoptNext = true));
  document.body.addEventListener("htmx:afterRequest", () => poll());
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const sent = event.detail.requestConfig?.elt?.dataset?.draft;
    const shownAgain = sent && document.querySelector(`form[data-draft="${sent}"]`);
    if (sent && event.detail.successful && !shownAgain?.querySelector(".govuk-form-group--error")) {
      sessionStorage.removeItem(draftKey(sent));
    }
    for (const form of event.detail.target.querySelectorAll("form[data-draft]")) restoreDraft(form);
  });
  // Signed out meanwhile: say why here, rather than going to the sign-in page and losing
  // what was typed.
  document.body.addEventListener("htmx:beforeOnLoad", (event) => {
    if (event.detail.xhr.status !== 401) return;
    event.preventDefault();
    try {
      signOut(JSON.parse(event.detail.xhr.responseText));
    } catch {
      signOut({ message: "You have been signed out" });
    }
  });

  byId("stay-signed-in").addEventListener("click", staySignedIn);
  byId("timeout-warning").addEventListener("cancel", staySignedIn); // Escape: still here
  document.addEventListener("line-asked", () => poll());
  window.addEventListener("focus", () => poll());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") poll();
  });
  poll();
}

if ("callEnded" in screen.dataset) showUnsent();
else startLiveCall();
