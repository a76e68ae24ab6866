// The account page's two-step login: set up with the key (or the otpauth
// address) typed into an authenticator app and proven by its first code;
// the recovery codes shown once, to download or print; turned off with the
// password and a code. Nothing is drawn from elsewhere: the key is text.

import { api, ApiError } from "./api.js";
import { $, el, formFields, sentence, tell } from "./page.js";

const tellHere = (text, isError = false) => tell($("two-step-message"), text, isError);

function refused(error) {
  if (!(error instanceof ApiError)) throw error;
  const wait = error.status === 429 ? ` Try again in ${error.retryAfter ?? "a few"} seconds.` : "";
  tellHere(sentence(error.message) + wait, true);
}

function showStatus(status) {
  $("two-step-status").textContent = status.enabled
    ? `On: your app's code is asked at login and before domain changes. ${status.recovery_codes_left} recovery codes left.`
    : status.required
      ? "Required for this account: set it up to go on."
      : "Off. Turn it on to ask for a code from an authenticator app at login.";
  $("two-step-start-code").hidden = !status.enabled;
  $("two-step-start-button").textContent = status.enabled ? "Set up a new app" : "Set up two-step login";
  $("two-step-off").hidden = !status.enabled || status.required;
}

function showRecoveryCodes(codes) {
  $("two-step-code-list").replaceChildren(...codes.map((code) => el("li", {}, el("code", {}, code))));
  const text = `Recovery codes for ${location.host}; each works once:\n${codes.join("\n")}\n`;
  $("two-step-download").href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  $("two-step-codes").hidden = false;
}

/// Shows the section; with `mustEnrol` (staff require it before anything
/// else), `enrolled` is called once it is on.
export async function showTwoStep(mustEnrol = false, enrolled = () => {}) {
  const start = $("two-step-start");
  const confirm = $("two-step-confirm");
  showStatus(await api("/api/account/totp"));
  if (mustEnrol) {
    tellHere("This account requires two-step login: set it up before anything else.", true);
    $("two-step").scrollIntoView();
  }
  start.onsubmit = async (event) => {
    event.preventDefault();
    tellHere("");
    const fields = formFields(start);
    if (!fields.code) delete fields.code;
    try {
      const enrolment = await api("/api/account/totp", { method: "POST", body: JSON.stringify(fields) });
      start.reset();
      $("two-step-secret").textContent = enrolment.secret;
      $("two-step-url").textContent = enrolment.otpauth_url;
      confirm.hidden = false;
      confirm.elements.code.focus();
    } catch (error) {
      refused(error);
    }
  };
  confirm.onsubmit = async (event) => {
    event.preventDefault();
    tellHere("");
    try {
      const on = await api("/api/account/totp/confirm", { method: "POST", body: JSON.stringify(formFields(confirm)) });
      confirm.reset();
      confirm.hidden = true;
      showStatus(on.status);
      showRecoveryCodes(on.recovery_codes);
      tellHere("Two-step login is on.");
      if (mustEnrol) enrolled();
    } catch (error) {
      refused(error);
    }
  };
  $("two-step-print").onclick = () => window.print();
  const off = $("two-step-off");
  off.onsubmit = async (event) => {
    event.preventDefault();
    tellHere("");
    try {
      showStatus(await api("/api/account/totp", { method: "DELETE", body: JSON.stringify(formFields(off)) }));
      off.reset();
      $("two-step-codes").hidden = true;
      tellHere("Two-step login is off.");
    } catch (error) {
      refused(error);
    }
  };
}
