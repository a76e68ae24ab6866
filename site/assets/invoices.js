// What an invoice is for, and its status, in words; shared by the portal
// and the printable invoice.

export function invoiceFor(about) {
  switch (about.kind) {
    case "order": return `Order ${about.order_id}`;
    case "renewal": return `Renewal of ${about.domain}, ${about.years} ${about.years === 1 ? "year" : "years"}`;
    case "period": return `Service ${about.service_id}, ${about.from} to ${about.to}`;
    case "upgrade": return `Upgrade of service ${about.service_id} to ${about.plan_id}`;
    case "client_service": return `Website service ${about.service_id}, ${about.from} to ${about.to}`;
    default: return about.kind;
  }
}

/// What was bought, in the invoice's own words: its lines (the plan and its
/// period, the domain and its years), or what it is for when it has none.
export function whatWasBought(invoice) {
  const lines = (invoice.lines ?? []).map((line) => line.description).filter(Boolean);
  return lines.length ? lines.join("; ") : invoiceFor(invoice.about);
}

export const STATUS = { open: "open", paid: "paid", void: "void", refunded: "refunded" };
