// Every client site's services (`#/client-services?kind=&status=&expiring_within_days=30&sort=latest`)
// with the lists' toolbar: soonest (or latest) last day first by the "Last
// day" header, narrowed by kind, status, the last day's range or whether it
// is within 30 days, searched by name, downloaded as CSV; each leads to its site.

import { el, words } from "../page.js";
import { showList } from "./list-toolbar.js";
import { address } from "./router.js";
import { kindOf, priceOf } from "./agency.js";
import { day } from "./words.js";

const SERVICE_LIST = {
  area: "client-services", api: "/api/admin/client-services", name: "client services",
  toolbar: "client-service-toolbar", results: "client-service-list", tableId: "client-service-table",
  statuses: ["pending", "active", "suspended", "expired", "cancelled"],
  kinds: ["domain", "email", "ssl", "hosting", "website_maintenance"], kindWords: kindOf,
  dates: true, dateLabels: ["Last day from", "to"], search: "Name contains",
  checks: [{ name: "expiring_within_days", value: "30", label: "Expiring within 30 days (or already past)" }],
  sorts: ["soonest", "latest"],
  columns: [
    { label: "Service", cell: (s) => s.name },
    { label: "Kind", cell: (s) => kindOf(s.service_type) },
    { label: "Site", cell: (s) => el("a", { href: address("sites", s.site_id) }, s.site_name ?? "its site") },
    { label: "Price", cell: priceOf },
    { label: "Last day", cell: (s) => day(s.expires_on), sort: ["soonest", "latest"] },
    { label: "Status", cell: (s) => words(s.status) },
  ],
  rowData: (s) => ({ "data-client-service": s.id, "data-status": s.status }),
  empty: "No client services here.",
};

/// The services the address asks for.
export const showClientServices = (params) => showList(SERVICE_LIST, params);
