// The phone line on the call page (templates/calls/_line.html): the handler answers in this
// browser with Twilio's Voice SDK (static/vendor/twilio-voice.min.js, `Twilio.Device`),
// registered under their own identity with a token from the server that lasts an hour at
// most and is renewed before it runs out (`tokenWillExpire`). Only the call this page is about
// is answered: the server puts exactly that caller through (or the resident it rang back),
// naming the call. Mute acts on the
// browser's microphone; hold and hang up are asked of the server, which asks the phone system
// and records it. Whether the caller hung up is the server's word, heard through the call's
// status (static/js/call_status.js), never guessed here. Without a phone system (the console
// stands in) the buttons work and act on nothing.
const line = document.getElementById("line");
const byId = (id) => document.getElementById(id);
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content;
const { tokenUrl, lineUrl, call: callId } = line.dataset;

let device = null;
let current = null; // the SDK's Call for this page's call, once answered
let muted = false;

function tell(text) {
  byId("softphone-state").textContent = text;
}

async function fetchToken() {
  const response = await fetch(tokenUrl, { headers: { Accept: "application/json" } });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || "No token");
  return answer;
}

function showMute() {
  const button = byId("line-mute");
  if (!button) return;
  button.hidden = false;
  button.setAttribute("aria-pressed", String(muted));
  button.textContent = muted ? "Unmute" : "Mute";
}

function toggleMute() {
  muted = !muted;
  current?.mute(muted);
  showMute();
  tell(muted ? "Your microphone is muted: the caller cannot hear you" : "The caller can hear you");
}

function answer(call) {
  if (call.customParameters?.get("call") !== callId) return; // another call: not this page's
  current = call;
  call.on("disconnect", () => {
    current = null;
    document.dispatchEvent(new CustomEvent("line-asked")); // the server says what happened
  });
  call.on("error", () => tell("The browser's phone had a problem with the line"));
  call.accept();
  call.mute(muted);
  tell("Answered in this browser");
}

async function startDevice() {
  let token;
  try {
    token = await fetchToken();
  } catch {
    tell("Calls cannot be answered in this browser now. Hold and hang up still work.");
    return;
  }
  showMute();
  if (token.console) {
    tell("Console phone: no phone system is set up, so nothing rings and the buttons act on nothing.");
    return;
  }
  if (!window.Twilio?.Device) {
    tell("The browser's phone did not load. Hold and hang up still work.");
    return;
  }
  device = new window.Twilio.Device(token.token, { closeProtection: true });
  device.on("registered", () => tell("Your browser is ready to answer calls"));
  device.on("unregistered", () => tell("Your browser is not ready to answer calls"));
  device.on("error", () => tell("Your browser is not ready to answer calls"));
  device.on("incoming", answer);
  device.on("tokenWillExpire", async () => {
    try {
      device.updateToken((await fetchToken()).token);
    } catch {
      tell("Your browser could not renew its phone token: reload the page");
    }
  });
  await device.register();
}

function showHeld(held) {
  byId("line-hold").hidden = held;
  byId("line-resume").hidden = !held;
  byId("line-state").textContent = held ? "The caller is on hold" : "The caller is put through to you";
}

async function act(event) {
  const action = event.submitter?.value;
  if (!action) return;
  event.preventDefault();
  const body = new URLSearchParams({ action });
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken };
  if (action === "hang-up") current?.disconnect();
  let answerJson;
  try {
    const response = await fetch(lineUrl, { method: "POST", headers, body });
    answerJson = await response.json();
    if (!response.ok) {
      tell(answerJson.error || "The phone system did not answer. Try again");
      return;
    }
  } catch {
    tell("The phone system did not answer. Try again");
    return;
  }
  if (answerJson.ended) {
    // The buttons go: focus goes to what the line says now, not to the top of the page.
    const state = byId("line-state");
    state.textContent = "You hung up";
    state.setAttribute("tabindex", "-1");
    state.focus();
    byId("line-controls").hidden = true;
  } else {
    showHeld(answerJson.held);
    byId(answerJson.held ? "line-resume" : "line-hold").focus();
  }
  document.dispatchEvent(new CustomEvent("line-asked"));
}

// The call's status says the line ended: let go of the line. The browser stays registered, so
// that a call back to the resident on a number on file can be put through to it.
document.addEventListener("line-ended", () => {
  current?.disconnect();
  current = null;
  byId("line-controls")?.setAttribute("hidden", "");
});

byId("line-mute")?.addEventListener("click", toggleMute);
byId("line-controls")?.addEventListener("submit", act);
startDevice();
