// A printable invoice or credit note (`CN-…`) of the logged-in customer. An
// invoice shows all an invoice must state, as its PDF and mails do: seller
// and buyer, number, issue date and date of supply, the lines with their
// period and tax, the tax per rate, the totals and the tax mention.

import { api } from "./api.js";
import { STATUS, invoiceFor } from "./invoices.js";
import { $, el, money, say } from "./page.js";
import { taxLabel } from "./tax.js";

const day = (time) => `${time.slice(0, 10)} (UTC)`;

/// A party's lines as the invoice prints them (billing/document.rs `party_lines`).
function partyLines(party) {
  return [party.name, ...(party.address ?? []), `Country: ${party.country}`,
    ...(party.tax_id ? [`Tax ID: ${party.tax_id}`] : []),
    ...(party.registration ? [`Registration: ${party.registration}`] : [])];
}

function showParty(id, party) {
  const section = $(id);
  section.hidden = !party;
  if (party) section.querySelector("address").replaceChildren(...partyLines(party).flatMap((line, i) => (i ? [el("br"), line] : [line])));
}

const lineRow = (cash) => (l) => el("tr", {},
  el("td", {}, l.description),
  el("td", { class: "amount" }, String(l.quantity ?? 1)),
  el("td", { class: "amount" }, cash(l.amount)),
  el("td", { class: "amount" }, cash(l.tax ?? 0)));

const totalRow = (cash) => (label, amount, strong = false) =>
  el("tr", { class: "total" }, el(strong ? "th" : "td", { colspan: "3" }, label), el(strong ? "th" : "td", { class: "amount" }, cash(amount)));

function showInvoice(invoice) {
  const cash = (amount) => money(amount, invoice.currency);
  const total = totalRow(cash);
  document.title = `Invoice ${invoice.number} — Hostfront`;
  $("invoice-title").textContent = `Invoice ${invoice.number}`;
  $("invoice-issued").textContent = day(invoice.issued_at);
  $("invoice-supplied").textContent = day(invoice.supplied_on ?? invoice.issued_at);
  $("invoice-about").textContent = invoiceFor(invoice.about);
  $("invoice-status").textContent = STATUS[invoice.status] + (invoice.paid_at ? ` on ${invoice.paid_at.slice(0, 10)}` : "");
  $("invoice-currency").textContent = invoice.currency;
  showParty("invoice-seller", invoice.seller);
  showParty("invoice-buyer", invoice.buyer);
  $("invoice-lines").replaceChildren(...invoice.lines.map(lineRow(cash)),
    total("Net", invoice.subtotal),
    total(`${taxLabel(invoice)} on ${cash(invoice.subtotal)}`, invoice.tax),
    ...(invoice.credit ? [total("Account credit", -invoice.credit)] : []),
    total(`Total (${invoice.currency})`, invoice.total, true));
  const mention = invoice.taxation?.mention;
  $("invoice-mention").hidden = !mention;
  $("invoice-mention").textContent = mention ?? "";
  $("invoice-pdf").href = `/api/invoices/${encodeURIComponent(invoice.number)}/pdf`;
  $("invoice-actions").hidden = false;
}

function showCreditNote(note) {
  const cash = (amount) => money(amount, note.currency);
  const total = totalRow(cash);
  document.title = `Credit note ${note.number} — Hostfront`;
  $("invoice-title").textContent = `Credit note ${note.number}`;
  $("invoice-issued").textContent = day(note.issued_at);
  $("invoice-supplied").hidden = $("invoice-supplied-term").hidden = true;
  $("invoice-about").textContent = `Corrects invoice ${note.invoice_number} of ${note.invoice_issued_at.slice(0, 10)}`;
  $("invoice-status").textContent = "refunded";
  $("invoice-currency").textContent = note.currency;
  $("invoice-lines").replaceChildren(...note.lines.map(lineRow(cash)),
    total("Net", note.subtotal),
    total(`Tax (${note.tax_rate_bps / 100}%)`, note.tax),
    total("Total refunded", note.total, true));
}

async function show() {
  const number = new URLSearchParams(location.search).get("number") ?? "";
  const creditNote = number.toUpperCase().startsWith("CN-");
  try {
    if (creditNote) showCreditNote(await api(`/api/credit-notes/${encodeURIComponent(number)}`));
    else showInvoice(await api(`/api/invoices/${encodeURIComponent(number)}`));
    $("invoice").hidden = false;
  } catch (error) {
    say($("invoice-message"), error.status === 401
      ? "Please log in to see your invoices."
      : `There is no such ${creditNote ? "credit note" : "invoice"} of yours.`, true);
  }
}

$("print").addEventListener("click", () => window.print());
show();
