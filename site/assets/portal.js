// The customer portal: services, domains (with renewal), invoices and credit notes, and the
// card saved for them; each section is a module in /assets/portal/.

import { api } from "/assets/api.js";
import { $ } from "/assets/page.js";
import { showDomains } from "/assets/portal/domains.js";
import { showCreditNotes } from "/assets/portal/credit-notes.js";
import { showInvoices } from "/assets/portal/invoices.js";
import { setUpPaymentMethod, showPaymentMethod } from "/assets/portal/payment-method.js";
import { showServices } from "/assets/portal/services.js";

async function start() {
  try {
    await api("/api/me");
  } catch {
    $("portal-login").hidden = false;
    return;
  }
  $("portal").hidden = false;
  const shown = () => Promise.all([showServices(), showDomains()]);
  setUpPaymentMethod(shown);
  await showPaymentMethod();
  await shown();
  await Promise.all([showInvoices(), showCreditNotes()]);
}

start();
