// What a live service gives its owner beyond the control panel, by the
// kind of plan: email hosting's mailboxes and webmail, a reseller's
// interface, a server's login and addresses. Shown alike on the order's page and in the portal.

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
  if (setup.machine) rows.push(...machineRows(setup.machine));
  if (setup.mail_domain) rows.push(["Webmail", link(setup.mail_domain.webmail_url)]);
  if (setup.reseller) {
    const reseller = setup.reseller;
    rows.push(["Reseller interface", link(reseller.reseller_url)],
      ["Reseller accounts", `up to ${reseller.account_limit}, on the server's shared address`]);
  }
  return rows;
}

/// What our nameservers serve for a DNS-only or domain-only service.
export function zoneRows(zone, nameservers) {
  const served = {
    primary: () => `DNS hosting: ${zone.records.length} records of yours`,
    secondary: () => `Secondary DNS, copied from ${zone.primaries.join(", ")}`,
    parked: () => "Parked: a holding page, and no mail",
    alias: () => `Shows the site of ${zone.site}`,
  }[zone.use]();
  return [["DNS", served], ["Nameservers", nameservers.join(", ")]];
}

/// A dedicated server's login, or a managed one's word that our team runs it.
function machineRows({ machine, managed }) {
  const addresses = [...machine.ipv4, machine.ipv6].join(", ");
  const login = managed ? "Run by our team: ask us for any change" : el("code", {}, `ssh root@${machine.ipv4[0]}`);
  return [["Operating system", machine.os_template ?? ""], ["Log in", login], ["Addresses", addresses],
    ["Server", `${machine.cores} cores, ${machine.memory_gb} GB memory, ${machine.disk_gb} GB disk`]];
}
