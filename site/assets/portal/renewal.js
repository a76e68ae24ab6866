// Renewing a domain from the portal: for how many years, with the saved card
// or another, then waiting until the registry has the new expiry. A renewal
// whose card's bank asks its holder to confirm goes to the bank, which sends
// them back with `?confirmed_renewal=<name>`: the renewal is confirmed then,
// and how it went is shown beside the domain.

import { api, ApiError } from "../api.js";
import { CardError, cardField } from "../card-field.js";
import { capitalized, el, money, formFields } from "../page.js";
import { day, showDomains } from "./domains.js";
import { showInvoices } from "./invoices.js";
import { savedCard } from "./payment-method.js";
import { taxIn, taxTerms, withTax } from "../tax.js";
import { payWith } from "./pay-with.js";
import { note } from "./notes.js";
import { confirmedOnReturn } from "./bank-return.js";

/// What `years` of renewal at `quote` come to with its tax, in minor units.
export async function renewalTotal(quote, years = 1) {
  const amount = quote.lines[0].amount * years + (quote.lines[1]?.amount ?? 0);
  const terms = await taxTerms();
  return terms && !terms.prices_include_tax ? amount + taxIn(amount, terms) : amount;
}

/// The years to renew for, with the price they come to; `priced` is told
/// the price with its tax each time it changes.
function yearsField(domain, quote, priced) {
  const years = el("select", { name: "years", id: `years-${domain.name}` },
    ...Array.from({ length: quote.max_years }, (_, i) => el("option", { value: String(i + 1) }, `${i + 1} ${i ? "years" : "year"}`)));
  const restore = quote.lines[1]?.amount ?? 0;
  const price = el("p", { class: "hint tax-note" });
  const showPrice = async () => {
    const amount = quote.lines[0].amount * Number(years.value) + restore;
    price.textContent = `${withTax(amount, quote.currency, await taxTerms())}${restore ? ", with the restore fee" : ""}.`;
    priced(await renewalTotal(quote, Number(years.value)));
  };
  years.addEventListener("change", showPrice);
  showPrice();
  return [years, price];
}

/// The account credit and what is left to pay of `total`, and the card
/// choice only while the credit does not pay it all. `chosen()` gives what
/// the request's body adds: nothing when the credit pays all of it.
function creditThenCard(credit, quote) {
  const shown = el("p", { class: "credit-note" });
  const cardSlot = el("div");
  let card = null;
  let covered = false;
  const show = (total) => {
    covered = credit >= total;
    const taken = Math.min(credit, total);
    shown.hidden = credit <= 0;
    shown.replaceChildren(`Account credit −\u2060${money(taken, quote.currency)}`, el("br"),
      covered ? "Paid by your account credit, no card needed." : `To pay ${money(total - taken, quote.currency)}`);
    cardSlot.hidden = covered;
    if (!covered && !card) {
      card = payWith(total - taken, quote.currency);
      cardSlot.append(...card.elements.filter(Boolean));
    }
  };
  const chosen = async () => (covered ? {} : card.chosen());
  return { elements: [shown, cardSlot], show, chosen };
}

export function renewForm(domain, quote, credit = 0) {
  const card = creditThenCard(credit, quote);
  const [years, price] = yearsField(domain, quote, card.show);
  const balance = credit > 0 ? el("p", { class: "hint" }, `Your account credit: ${money(credit, quote.currency)}.`) : null;
  const form = el("form", { class: "card-form renew-form" },
    el("label", { for: `years-${domain.name}` }, "Renew for"), years, price, balance,
    ...card.elements,
    el("button", { type: "submit" }, "Renew"));
  // One key per renewal: a double click or a retry renews once.
  const key = crypto.randomUUID();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = formFields(form);
    form.querySelector("button").disabled = true;
    note(domain.name, "");
    try {
      const body = { years: Number(fields.years), ...(await card.chosen()) };
      const renewal = await api(`/api/domains/${encodeURIComponent(domain.name)}/renew`, { method: "POST", headers: { "idempotency-key": key }, body: JSON.stringify(body) });
      // The card's bank asks its holder to confirm: it sends them back here.
      if (renewal.payment_action_url) {
        note(domain.name, "Your bank asks you to confirm the payment; taking you there…");
        location.assign(renewal.payment_action_url);
        return;
      }
      note(domain.name, renewal.status_message);
      await waitForRenewal(domain);
    } catch (error) {
      if (!(error instanceof ApiError || error instanceof CardError)) throw error;
      note(domain.name, capitalized(error.message), true);
      form.querySelector("button").disabled = false;
    }
  });
  return form;
}

async function waitForRenewal(domain) {
  for (let i = 0; i < 60; i++) {
    const shown = await api(`/api/domains/${encodeURIComponent(domain.name)}`);
    if (shown.expires_at !== domain.expires_at) {
      await Promise.all([showDomains(), showInvoices()]);
      note(domain.name, `${domain.unicode} is renewed until ${day(shown.expires_at)}.`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  note(domain.name, "Your renewal is queued; the new expiry shows here once the registry has it.");
}

/// Back from the bank (`?confirmed_renewal=<name>`): confirms that domain's
/// renewal; how it went is for `tellRenewal`.
export const renewalBackFromBank = () =>
  confirmedOnReturn("confirmed_renewal", (name) => `/api/domains/${encodeURIComponent(name)}/renew/confirm`, "#domains");

/// Shows beside its domain how the renewal the bank checked went; a
/// queued one is then followed until the registry has the new expiry.
export async function tellRenewal(outcome) {
  note(outcome.key, outcome.text ?? outcome.answer.status_message, outcome.failed);
  if (outcome.failed) return;
  const shown = await api(`/api/domains/${encodeURIComponent(outcome.key)}`);
  await waitForRenewal({ ...shown, expires_at: outcome.answer.current_expiry });
}
