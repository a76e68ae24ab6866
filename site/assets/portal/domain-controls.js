// What a holder controls of a domain from the portal: its transfer lock and
// auth code, its registrant, its nameservers, and asking the registry again.
// Unlocking, the auth code and the registrant ask for the account password,
// and a current code when two-step login is on.

import { api, ApiError } from "../api.js";
import { capitalized, el } from "../page.js";
import { day, showDomains } from "./domains.js";
import { note } from "./notes.js";

/// Lock, auth code, registrant, nameserver and refresh controls of a domain.
export function manageButtons(domain) {
  return [lockButton(domain), authCodeButton(domain), registrantButton(domain), nameserversButton(domain), refreshButton(domain)];
}

const pathOf = (domain, what) => `/api/domains/${encodeURIComponent(domain.name)}/${what}`;

/// Runs `work` on `domain`, saying in its card why the API refused it if it did.
async function act(domain, work) {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    note(domain.name, capitalized(error.message), true);
  }
}

const secondary = (label) => el("button", { type: "button", class: "secondary" }, label);

// A form in place of `button` that asks for `fields` and the account
// password again (and, with two-step login on, a current code from the
// app), then calls `send` with them; neither stays on the page.
function confirmForm(button, { fields = [], submit, send }) {
  const password = el("input", { name: "current_password", type: "password", autocomplete: "current-password", required: "" });
  const code = el("input", { name: "totp_code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", pattern: "[0-9]{6}" });
  const codeLabel = el("label", { hidden: "" }, "The code your authenticator app shows now", code);
  api("/api/account/totp").then((twoStep) => {
    codeLabel.hidden = !twoStep.enabled;
    code.required = twoStep.enabled;
  }, () => null);
  const form = el("form", { class: "card-form" },
    ...fields,
    el("label", {}, "Your account password, to confirm", password),
    codeLabel,
    el("button", { type: "submit" }, submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const confirmed = { current_password: password.value, ...(code.value ? { totp_code: code.value.trim() } : {}) };
    password.value = "";
    code.value = "";
    send(confirmed);
  });
  button.replaceWith(form);
  password.focus();
}

function lockButton(domain) {
  const setLock = (locked, confirmed = {}) => act(domain, async () => {
    const now = await api(pathOf(domain, "lock"), { method: "PUT", body: JSON.stringify({ locked, ...confirmed }) });
    await showDomains();
    note(domain.name, `${domain.unicode} is ${now.locked ? "locked" : "unlocked"}.`);
  });
  const lock = secondary(domain.locked ? "Unlock for transfer" : "Lock");
  lock.addEventListener("click", () => (domain.locked
    ? confirmForm(lock, { submit: "Unlock for transfer", send: (confirmed) => setLock(false, confirmed) })
    : setLock(true)));
  return lock;
}

function authCodeButton(domain) {
  const code = secondary("Show the auth code");
  code.addEventListener("click", () => confirmForm(code, {
    submit: "Show the auth code",
    send: (confirmed) => act(domain, async () => {
      const answer = await api(pathOf(domain, "auth-code"), { method: "POST", body: JSON.stringify(confirmed) });
      note(domain.name, `The auth code of ${domain.unicode} is ${answer.auth_code}. Give it only to the registrar you move to.`);
    }),
  }));
  return code;
}

function registrantButton(domain) {
  const registrant = secondary("Change the registrant");
  registrant.addEventListener("click", () => {
    const name = el("input", { name: "name", required: "", maxlength: "100", value: domain.registrant?.name ?? "" });
    const email = el("input", { name: "email", type: "email", required: "", value: domain.registrant?.email ?? "" });
    const optOut = el("input", { name: "opt_out_transfer_lock", type: "checkbox" });
    confirmForm(registrant, {
      fields: [
        el("label", {}, "Registrant's name", name),
        el("label", {}, "Registrant's email", email),
        el("label", {}, optOut, " The new registrant does not want the 60-day lock against transfers that follows the change"),
      ],
      submit: "Change the registrant",
      send: (confirmed) => act(domain, async () => {
        const body = { name: name.value, email: email.value, ...confirmed, opt_out_transfer_lock: optOut.checked };
        const now = await api(pathOf(domain, "registrant"), { method: "PUT", body: JSON.stringify(body) });
        await showDomains();
        note(domain.name, now.transfer_lock_until
          ? `The registrant of ${domain.unicode} is changed; it cannot move to another registrar until ${day(now.transfer_lock_until)} (UTC).`
          : `The registrant of ${domain.unicode} is changed.`);
      }),
    });
  });
  return registrant;
}

function nameserversButton(domain) {
  const nameservers = secondary("Change nameservers");
  nameservers.addEventListener("click", () => {
    const input = el("input", { name: "nameservers", value: domain.nameservers.join(", "), required: "" });
    const warning = `${domain.unicode}'s site and mail are found through its nameservers: if the new ones do not serve them, its site and mail stop working.`;
    const form = el("form", { class: "card-form" },
      el("label", {}, "Nameservers, separated by commas", input),
      el("p", { class: "hint" }, warning),
      el("button", { type: "submit" }, "Save nameservers"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const list = input.value.split(",").map((n) => n.trim()).filter(Boolean);
      const changed = list.join(",") !== domain.nameservers.join(",");
      if (changed && !confirm(`${warning} Change them?`)) return;
      act(domain, async () => {
        await api(pathOf(domain, "nameservers"), { method: "PUT", body: JSON.stringify({ nameservers: list }) });
        await showDomains();
        note(domain.name, `The nameservers of ${domain.unicode} are changed.`);
      });
    });
    nameservers.replaceWith(form);
  });
  return nameservers;
}

function refreshButton(domain) {
  const refresh = secondary("Ask the registry again");
  refresh.addEventListener("click", () => act(domain, async () => {
    await api(pathOf(domain, "refresh"), { method: "POST" });
    await showDomains();
    note(domain.name, `${domain.unicode} is as the registry says now.`);
  }));
  return refresh;
}
