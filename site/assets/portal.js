// The customer portal: services, domains (with renewal), registrar accounts, invoices and credit notes, and the
// card saved for them; each section is a module in /assets/portal/.

import { api } from "./api.js";
import { $ } from "./page.js";
import { showDomains } from "./portal/domains.js";
import { showCreditNotes } from "./portal/credit-notes.js";
import { backFromBank, showInvoices, tellBeside } from "./portal/invoices.js";
import { setUpPaymentMethod, showPaymentMethod } from "./portal/payment-method.js";
import { showRegistrarAccounts } from "./portal/registrar-accounts.js";
import { renewalBackFromBank, tellRenewal } from "./portal/renewal.js";
import { showServices, tellUpgrade, upgradeBackFromBank } from "./portal/services.js";

async function start() {
  const session = await api("/api/session").catch(() => ({ customer: null }));
  if (!session.customer) {
    $("portal-login").hidden = false;
    return;
  }
  const shown = () => Promise.all([showServices(), showDomains(), showRegistrarAccounts()]);
  setUpPaymentMethod(shown);
  // Shown once every section has its content, so that none jumps as the
  // ones above it fill.
  let renewalFromBank = null;
  try {
    // Back from the bank: the payment is finished before the services show.
    const fromBank = await backFromBank();
    renewalFromBank = await renewalBackFromBank();
    const upgradeFromBank = await upgradeBackFromBank();
    await showPaymentMethod();
    await shown();
    await Promise.all([showInvoices(), showCreditNotes()]);
    if (fromBank) tellBeside(fromBank);
    if (upgradeFromBank) tellUpgrade(upgradeFromBank);
  } finally {
    $("portal").hidden = false;
  }
  // A renewal confirmed at the bank is followed until the registry has it.
  if (renewalFromBank) await tellRenewal(renewalFromBank);
}

start();
