// Disputes (chargebacks) as the console shows them: in their own area
// while open, on the order and in the customer's file.

import { el, words } from "../page.js";
import { money } from "./amounts.js";
import { when } from "./words.js";

/// One dispute in a line: amount, reason, the provider's status, the invoice, when it was opened.
export const disputeLine = (d) => el("span", {},
  `${money(d.amount, d.currency)} disputed — ${words(d.reason)} — ${words(d.status)} (invoice ${d.invoice_number}, opened `, when(d.opened_at), ")");
