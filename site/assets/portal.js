// The customer portal: services, domains (with renewal), invoices and credit notes, and the
// card saved for them; each section is a module in /assets/portal/.

import { api } from "./api.js";
import { $ } from "./page.js";
import { showDomains } from "./portal/domains.js";
import { showCreditNotes } from "./portal/credit-notes.js";
import { showInvoices } from "./portal/invoices.js";
import { setUpPaymentMethod, showPaymentMethod } from "./portal/payment-method.js";
import { showServices } from "./portal/services.js";

async function start() {
  const session = await api("/api/session").catch(() => ({ customer: null }));
  if (!session.customer) {
    $("portal-login").hidden = false;
    return;
  }
  const shown = () => Promise.all([showServices(), showDomains()]);
  setUpPaymentMethod(shown);
  // Shown once every section has its content, so that none jumps as the
  // ones above it fill.
  try {
    await showPaymentMethod();
    await shown();
    await Promise.all([showInvoices(), showCreditNotes()]);
  } finally {
    $("portal").hidden = false;
  }
}

start();
