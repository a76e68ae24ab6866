// The portal's invoices, each linking to its printable page. An open invoice
// of a service suspended for not being paid can be paid here; the billing
// run charges every other open one by itself.

import { api, ApiError } from "/assets/api.js";
import { STATUS, invoiceFor } from "/assets/invoices.js";
import { $, capitalized, el, money, say } from "/assets/page.js";
import { savedCard } from "/assets/portal/payment-method.js";
import { services, showServices } from "/assets/portal/services.js";

export async function showInvoices() {
  const invoices = await api("/api/invoices");
  $("invoices").querySelector("tbody").replaceChildren(...invoices.map((invoice) => el("tr", { "data-invoice": invoice.number },
    el("td", {}, el("a", { href: `/invoice.html?number=${encodeURIComponent(invoice.number)}` }, invoice.number), " ",
      el("a", { href: `/api/invoices/${encodeURIComponent(invoice.number)}/pdf`, class: "pdf", "aria-label": `Invoice ${invoice.number} as PDF` }, "PDF")),
    el("td", {}, invoiceFor(invoice.about)),
    el("td", { class: "amount" }, money(invoice.total, invoice.currency)),
    el("td", { class: "invoice-status" }, STATUS[invoice.status], refundedPart(invoice), ...(payable(invoice) ? [" ", payButton(invoice)] : [])))));
}

// What was given back of an invoice, told by its credit notes.
function refundedPart(invoice) {
  return invoice.refunded && invoice.status !== "refunded" ? `, ${money(invoice.refunded, invoice.currency)} refunded` : "";
}

function payable(invoice) {
  if (invoice.status !== "open" || invoice.about.kind !== "period") return false;
  const service = services.find((s) => s.id === invoice.about.service_id);
  return service?.status === "suspended" && !service.ended_at;
}

function payButton(invoice) {
  const button = el("button", { type: "button", class: "secondary" }, "Pay now");
  button.addEventListener("click", async () => {
    const message = $("invoice-message");
    if (!savedCard) {
      message.textContent = "Save a card below, then pay.";
      return;
    }
    button.disabled = true;
    try {
      await api(`/api/invoices/${encodeURIComponent(invoice.number)}/pay`, { method: "POST", body: "{}" });
      await showServices();
      await showInvoices();
      say(message, `Invoice ${invoice.number} is paid. Thank you.`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      button.disabled = false;
      say(message, capitalized(error.message), true);
    }
  });
  return button;
}
