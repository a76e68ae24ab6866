// What a live service gives its owner beyond the control panel, by the
// kind of plan: email hosting's mailboxes and webmail, a reseller's
// interface. Shown alike on the order's page and in the portal.

import { el } from "./page.js";

/// The service's mailboxes, whether its plan has a website or mail only.
export const mailboxesOf = (setup) => setup.mail?.mailboxes ?? setup.mail_domain?.mailboxes ?? [];

const link = (url) => el("a", { href: url }, url);

/// The control panel's row, for a service run on a panel (a VPS has none).
export const panelRows = (account) => (account.panel_url ? [["Control panel", link(account.panel_url)]] : []);

/// Rows of the other logins the service has: label, then a link.
export function kindLogins(setup) {
  const rows = [];
  if (setup.vm) {
    rows.push(["Operating system", setup.vm.os_template],
      ["Log in", el("code", {}, `ssh root@${setup.vm.ipv4}`)],
      ["Addresses", `${setup.vm.ipv4}, ${setup.vm.ipv6}`]);
  }
  if (setup.mail_domain) rows.push(["Webmail", link(setup.mail_domain.webmail_url)]);
  if (setup.reseller) {
    const reseller = setup.reseller;
    rows.push(["Reseller interface", link(reseller.reseller_url)],
      ["Reseller accounts", `up to ${reseller.account_limit}, on the server's shared address`]);
  }
  return rows;
}
