// The portal's credit notes: each documents a refund, names the invoice it
// corrects and links to its printable page.

import { api } from "../api.js";
import { $, el, money } from "../page.js";

export async function showCreditNotes() {
  const notes = await api("/api/credit-notes");
  $("credit-notes-part").hidden = notes.length === 0;
  $("credit-notes").querySelector("tbody").replaceChildren(...notes.map((note) => el("tr", { "data-credit-note": note.number },
    el("td", {}, el("a", { href: `/invoice.html?number=${encodeURIComponent(note.number)}` }, note.number)),
    el("td", {}, `Corrects invoice ${note.invoice_number}`),
    el("td", {}, note.issued_at.slice(0, 10)),
    el("td", { class: "amount" }, money(note.total, note.currency)))));
}
