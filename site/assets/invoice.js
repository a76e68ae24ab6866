// A printable invoice of the logged-in customer.

import { api } from "/assets/api.js";
import { STATUS, invoiceFor } from "/assets/invoices.js";
import { $, el, money, say } from "/assets/page.js";

async function show() {
  const number = new URLSearchParams(location.search).get("number") ?? "";
  try {
    const invoice = await api(`/api/invoices/${encodeURIComponent(number)}`);
    const cash = (amount) => money(amount, invoice.currency);
    document.title = `Invoice ${invoice.number} — Hostfront`;
    $("invoice-title").textContent = `Invoice ${invoice.number}`;
    $("invoice-issued").textContent = invoice.issued_at.slice(0, 10);
    $("invoice-about").textContent = invoiceFor(invoice.about);
    $("invoice-status").textContent = STATUS[invoice.status] + (invoice.paid_at ? ` on ${invoice.paid_at.slice(0, 10)}` : "");
    const row = (label, amount, strong = false) => el("tr", {}, el(strong ? "th" : "td", {}, label), el(strong ? "th" : "td", { class: "amount" }, cash(amount)));
    $("invoice-lines").replaceChildren(
      ...invoice.lines.map((line) => row(line.description, line.amount)),
      row(`Tax (${invoice.tax_rate_bps / 100}%)`, invoice.tax),
      ...(invoice.credit ? [row("Account credit", -invoice.credit)] : []),
      row("Total", invoice.total, true));
    $("invoice").hidden = false;
  } catch (error) {
    say($("invoice-message"), error.status === 401
      ? "Please log in to see your invoices."
      : "There is no such invoice of yours.", true);
  }
}

$("print").addEventListener("click", () => window.print());
show();
