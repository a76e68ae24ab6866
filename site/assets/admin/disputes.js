// Disputes (chargebacks) as the console shows them: on the dashboard while
// open, on the order and in the customer's file.

import { money, words } from "../page.js";

/// One dispute in a line: amount, reason, the provider's status, the invoice.
export const disputeLine = (d) =>
  `${money(d.amount, d.currency)} disputed — ${words(d.reason)} — ${words(d.status)} (invoice ${d.invoice_number}, opened ${d.opened_at})`;
