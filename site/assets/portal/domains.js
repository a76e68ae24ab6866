// The portal's domains: each with its registration, renewal and auto-renew,
// and the controls a holder has over it.

import { api } from "../api.js";
import { $, details, el, money, words } from "../page.js";
import { manageButtons } from "./domain-controls.js";
import { keepingFocus, note, noteSlot } from "./notes.js";
import { renewalTotal, renewForm } from "./renewal.js";
import { noCardWarning, savedCard } from "./payment-method.js";

/// A day (UTC) of an epoch time in seconds.
export const day = (epoch) => new Date(epoch * 1000).toISOString().slice(0, 10);

export async function showDomains() {
  const domains = await api("/api/domains");
  const cards = domains.length ? await Promise.all(domains.map(showDomain)) : [el("p", {}, "No domains registered with us yet.")];
  await keepingFocus(() => $("domain-list").replaceChildren(...cards));
}

async function showDomain(domain) {
  const card = el("article", { class: "record", "data-domain": domain.name },
    el("h3", {}, domain.unicode),
    details([
      ["Status", words(domain.status)],
      ["Expires", domain.expires_at ? `${day(domain.expires_at)} (UTC)` : "once the transfer completes"],
      ["Auto-renew", domain.auto_renew ? "on" : "off"],
      ["Nameservers", domain.nameservers.join(", ")],
      ["Transfer lock", domain.locked ? "locked" : "unlocked"],
      ...(domain.transfer_lock_until && domain.transfer_lock_until * 1000 > Date.now()
        ? [["No transfer before", `${day(domain.transfer_lock_until)} (UTC), after its change of registrant`]]
        : []),
    ]));
  if (domain.auto_renew) card.append(...(await withoutCard(domain)));
  card.append(el("p", { class: "actions" }, renewButton(domain, card), autoRenewButton(domain), ...manageButtons(domain)), noteSlot(domain.name));
  return card;
}

/// What pays the next renewal of `domain`, which renews by itself, while no
/// card is saved: the account credit when it covers a year, else nothing.
async function withoutCard(domain) {
  if (savedCard) return [];
  const shown = await api(`/api/domains/${encodeURIComponent(domain.name)}`);
  const quote = shown.renewal_quote;
  if (quote && shown.account_credit > 0 && shown.account_credit >= (await renewalTotal(quote))) {
    return [el("p", { class: "hint by-credit" }, `Auto-renew is on: your account credit (${money(shown.account_credit, quote.currency)}) pays its next renewal, no card needed.`)];
  }
  return noCardWarning(`Auto-renew is on, but no card is saved to charge: ${domain.unicode} will not renew by itself.`);
}

/// Turns auto-renew of `domain` on or off.
function autoRenewButton(domain) {
  const toggle = el("button", { type: "button", class: "secondary auto-renew" }, domain.auto_renew ? "Turn auto-renew off" : "Turn auto-renew on");
  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    const now = await api(`/api/domains/${encodeURIComponent(domain.name)}/auto-renew`, { method: "PUT", body: JSON.stringify({ enabled: !domain.auto_renew }) });
    await showDomains();
    note(domain.name, `Auto-renew of ${domain.unicode} is ${now.auto_renew ? "on" : "off"}.`);
  });
  return toggle;
}

/// Opens the renewal form of `domain` in its `card`, at the price the registry quotes now.
function renewButton(domain, card) {
  const button = el("button", { type: "button", class: "secondary" }, "Renew");
  button.addEventListener("click", async () => {
    button.disabled = true;
    const shown = await api(`/api/domains/${encodeURIComponent(domain.name)}`);
    if (shown.renewal_quote) {
      card.querySelector("[data-note]").before(renewForm(domain, shown.renewal_quote, shown.account_credit));
      button.hidden = true;
    } else {
      note(domain.name, shown.not_renewable ?? "This domain cannot be renewed right now.", true);
      button.disabled = false;
    }
  });
  return button;
}
