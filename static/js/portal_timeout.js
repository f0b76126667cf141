// GOV.UK's timeout warning for the residents' portal (templates/portal/base.html).
//
// The server signs a resident out after PORTAL_IDLE_LIFETIME without a request, and every
// request moves that limit on. This page counts the same time from when it was drawn:
// PORTAL_IDLE_WARNING before the end it opens a modal dialog with a countdown (read out by
// screen readers every 15 seconds, not every second); "Stay signed in" posts, with the CSRF
// token, and the page carries on as it was. A few seconds before the server's limit the page
// signs out itself, sending any dispute being written so it is kept for the next sign-in.

const dialog = document.getElementById("app-timeout");
// The page acts this long before the server's limit, so its post still finds the session.
const MARGIN_SECONDS = 5;
const SPOKEN_EVERY_SECONDS = 15;

function inWords(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

function hiddenInput(form, name, value) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  form.append(input);
}

if (dialog && typeof dialog.showModal === "function") {
  const idle = Number(dialog.dataset.idleSeconds);
  const warn = Number(dialog.dataset.warnSeconds);
  const countdown = dialog.querySelector(".app-timeout__countdown");
  const spoken = dialog.querySelector(".app-timeout__spoken");
  const stay = dialog.querySelector(".app-timeout__stay");
  const leave = dialog.querySelector(".app-timeout__leave");
  let endsAt = 0;
  let warnTimer = 0;
  let tick = 0;
  let returnFocusTo = null;

  const signOut = () => {
    window.clearInterval(tick);
    // What the resident is writing goes with the sign-out, to be kept for next time.
    const draft = document.querySelector("form[data-keep-draft]");
    if (draft) {
      hiddenInput(leave, "entry", draft.dataset.keepDraft);
      const reason = draft.querySelector("input[name=reason]:checked");
      if (reason) hiddenInput(leave, "reason", reason.value);
      const statement = draft.querySelector("[name=statement]");
      if (statement) hiddenInput(leave, "statement", statement.value);
    }
    leave.submit();
  };

  const showTimeLeft = () => {
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    countdown.textContent = inWords(left);
    if (left % SPOKEN_EVERY_SECONDS === 0 || !spoken.textContent) {
      spoken.textContent = inWords(left);
    }
    if (left <= 0) signOut();
  };

  const warnNow = () => {
    returnFocusTo = document.activeElement;
    spoken.textContent = "";
    showTimeLeft();
    dialog.showModal();
    tick = window.setInterval(showTimeLeft, 1000);
  };

  const start = () => {
    const lasts = Math.max(idle - MARGIN_SECONDS, 1);
    endsAt = Date.now() + lasts * 1000;
    window.clearTimeout(warnTimer);
    warnTimer = window.setTimeout(warnNow, Math.max(lasts - warn, 0) * 1000);
  };

  const staySignedIn = async () => {
    window.clearInterval(tick);
    let response = null;
    try {
      response = await fetch(stay.action, {
        method: "POST",
        body: new FormData(stay),
        credentials: "same-origin",
        redirect: "manual",
      });
    } catch {
      response = null;
    }
    if (!response || response.status !== 204) {
      signOut();
      return;
    }
    dialog.close();
    if (returnFocusTo && typeof returnFocusTo.focus === "function") returnFocusTo.focus();
    start();
  };

  stay.addEventListener("submit", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  leave.addEventListener("submit", (event) => {
    event.preventDefault();
    signOut();
  });
  // Escape means "not now", as GOV.UK's pattern has it: the resident stays signed in.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  start();
}
