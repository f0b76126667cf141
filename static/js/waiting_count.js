// How many calls wait, in the header of every page of a member of staff who takes calls
// (templates/calls/_waiting_count.html). Every few seconds, when the window comes back into
// focus and when the tab becomes visible, it asks with the version it last saw, and is told
// "not modified" (304) until a call comes or goes. What it last saw is kept in this tab
// (sessionStorage) from page to page, so that moving to another page neither shows a blank
// count nor says it again. Asking does not keep the session alive; once signed out it stops.
const POLL_MS = 3000;

const bar = document.getElementById("waiting-count");
const link = document.getElementById("waiting-count-link");
const status = document.getElementById("waiting-count-status");
const key = `waiting-count:${bar.dataset.staff}`;
const title = document.title;

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch {
    return null;
  }
}

function keep(seen) {
  try {
    sessionStorage.setItem(key, JSON.stringify(seen));
  } catch {
    // Storage full or turned off: the count still shows, it is just asked for afresh.
  }
}

let seen = read(); // { version, count, words }, as last answered in this tab
let timer;

function show() {
  bar.hidden = seen.count === 0;
  link.textContent = seen.words;
  document.title = seen.count ? `(${seen.count}) ${title}` : title;
}

// The Calls page lists the waiting calls and says itself when one comes or goes.
const saidByTheList = () => document.getElementById("waiting-calls-status") !== null;

async function poll() {
  clearTimeout(timer);
  try {
    const headers = { Accept: "application/json" };
    if (seen?.version) headers["If-None-Match"] = `"${seen.version}"`;
    const response = await fetch(bar.dataset.url, { headers, cache: "no-store" });
    if (response.status === 401 || response.status === 403) return; // signed out: stop
    if (response.status === 200) {
      const answer = await response.json();
      const version = (response.headers.get("ETag") ?? "").replace(/^W\//, "").replaceAll('"', "");
      const changed = seen !== null && seen.count !== answer.count;
      seen = { version, count: answer.count, words: answer.words };
      keep(seen);
      show();
      if (changed && !saidByTheList()) status.textContent = answer.words;
    }
  } catch {
    // The network blinked: ask again at the next turn.
  }
  clearTimeout(timer);
  timer = setTimeout(poll, POLL_MS);
}

if (seen) show();
window.addEventListener("focus", () => poll());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") poll();
});
poll();
