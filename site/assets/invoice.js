// A printable invoice or credit note (`CN-…`) of the logged-in customer.

import { api } from "./api.js";
import { STATUS, invoiceFor } from "./invoices.js";
import { $, el, money, say } from "./page.js";

const row = (cash) => (label, amount, strong = false) =>
  el("tr", {}, el(strong ? "th" : "td", {}, label), el(strong ? "th" : "td", { class: "amount" }, cash(amount)));

function showInvoice(invoice) {
  const line = row((amount) => money(amount, invoice.currency));
  document.title = `Invoice ${invoice.number} — Hostfront`;
  $("invoice-title").textContent = `Invoice ${invoice.number}`;
  $("invoice-issued").textContent = invoice.issued_at.slice(0, 10);
  $("invoice-about").textContent = invoiceFor(invoice.about);
  $("invoice-status").textContent = STATUS[invoice.status] + (invoice.paid_at ? ` on ${invoice.paid_at.slice(0, 10)}` : "");
  $("invoice-lines").replaceChildren(
    ...invoice.lines.map((l) => line(l.description, l.amount)),
    line(`Tax (${invoice.tax_rate_bps / 100}%)`, invoice.tax),
    ...(invoice.credit ? [line("Account credit", -invoice.credit)] : []),
    line("Total", invoice.total, true));
}

function showCreditNote(note) {
  const line = row((amount) => money(amount, note.currency));
  document.title = `Credit note ${note.number} — Hostfront`;
  $("invoice-title").textContent = `Credit note ${note.number}`;
  $("invoice-issued").textContent = note.issued_at.slice(0, 10);
  $("invoice-about").textContent = `Corrects invoice ${note.invoice_number} of ${note.invoice_issued_at.slice(0, 10)}`;
  $("invoice-status").textContent = "refunded";
  $("invoice-lines").replaceChildren(
    ...note.lines.map((l) => line(l.description, l.amount)),
    line(`Tax (${note.tax_rate_bps / 100}%)`, note.tax),
    line("Total refunded", note.total, true));
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
