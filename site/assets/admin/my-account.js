// The member's own account: the sessions they have open (this one marked,
// each ended on its own or all others at once), their password, and their
// authenticator moved to a new device: the new secret is shown once and
// takes over when a code of it is typed back, which shows new recovery
// codes, once.

import { $, el, formFields } from "../page.js";
import { attempt, call, showLogin } from "./console.js";
import { ask, note, noteSlot } from "./feedback.js";
import { when } from "./words.js";

function endButton(session) {
  const end = el("button", { type: "button", class: "secondary" }, session.current ? "Log out here" : "End");
  end.addEventListener("click", async () => {
    const sure = await ask({
      title: session.current ? "End this session?" : "End that session?",
      text: session.current
        ? "You are logged out here at once."
        : `Whoever uses the session opened from ${session.client ?? "an unknown address"} is logged out at once.`,
      go: "End it",
    });
    if (!sure) return;
    const key = `session:${session.id}`;
    await attempt(async () => {
      await call(`/api/admin/me/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" });
      if (session.current) return showLogin();
      await showMyAccount();
      note("sessions", "That session has ended.");
    }, key);
  });
  return end;
}

function sessionRow(session) {
  return el("tr", { "data-session": session.id },
    el("td", { "data-label": "Opened" }, when(session.started_at), session.current ? el("strong", {}, " (this one)") : ""),
    el("td", { "data-label": "Last used" }, when(session.last_seen_at)),
    el("td", { "data-label": "From" }, session.client ?? "unknown"),
    el("td", {}, endButton(session), noteSlot(`session:${session.id}`)));
}

export async function showMyAccount() {
  const sessions = await call("/api/admin/me/sessions");
  $("session-table").querySelector("tbody").replaceChildren(...sessions.map(sessionRow));
  $("end-others").hidden = sessions.length < 2;
}

/// Sends a form's fields to `path` with `method`; `done` says what happened beside it.
function accountForm(id, path, method, done) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    attempt(async () => {
      const answer = await call(path, { method, body: JSON.stringify(formFields(form)) });
      form.reset();
      await done(answer);
    }, id);
  });
}

/// Shows the new authenticator's secret, for the app, and asks for a code of it.
function showNewSecret(answer) {
  $("new-secret").textContent = answer.totp_secret;
  $("new-secret-link").href = answer.enrolment_url;
  $("authenticator-confirm").hidden = false;
  note("authenticator-form", "Add this secret to your authenticator app, then type the code it shows below, within ten minutes. Your old authenticator works until then.");
}

function showRecoveryCodes(answer) {
  $("authenticator-confirm").hidden = true;
  $("recovery-list").replaceChildren(...answer.recovery_codes.map((code) => el("li", {}, el("code", {}, code))));
  $("recovery-codes").hidden = false;
  note("authenticator-form", "Your new authenticator is the one that counts now. Keep the recovery codes below apart from your password: they are shown once, and the old ones no longer work.");
}

export function setUpMyAccount() {
  $("end-others").addEventListener("click", () => attempt(async () => {
    const { ended } = await call("/api/admin/me/sessions/end-others", { method: "POST" });
    await showMyAccount();
    note("sessions", `${ended} other ${ended === 1 ? "session" : "sessions"} ended.`);
  }, "sessions"));
  accountForm("password-form", "/api/admin/me/password", "PUT", async ({ ended }) => {
    await showMyAccount();
    note("password-form", `Your password is changed; ${ended} other ${ended === 1 ? "session" : "sessions"} ended.`);
  });
  accountForm("authenticator-form", "/api/admin/me/authenticator", "POST", showNewSecret);
  accountForm("authenticator-confirm", "/api/admin/me/authenticator/confirm", "POST", showRecoveryCodes);
}
