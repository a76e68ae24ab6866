// The console's list of every customer's invoices (the billing role's):
// by number, status and what each is for, with the lists' toolbar.

import { el, words } from "../page.js";
import { money } from "./amounts.js";
import { customerLink } from "./console.js";
import { showList } from "./list-toolbar.js";
import { when } from "./words.js";

const pdf = (number) => el("a", { href: `/api/admin/invoices/${encodeURIComponent(number)}/pdf` }, number);

const INVOICE_LIST = {
  area: "invoices", api: "/api/admin/invoices", name: "invoices", toolbar: "invoice-toolbar", results: "invoice-list",
  statuses: ["open", "paid", "void", "refunded"], kinds: ["order", "renewal", "period", "upgrade"], kindLabel: "For",
  search: "Invoice number", sorts: ["newest", "oldest"],
  columns: [
    { label: "Number", cell: (i) => pdf(i.number), sort: ["oldest", "newest"] },
    { label: "Customer", cell: (i) => customerLink(i.customer_id, i.customer_name) },
    { label: "For", cell: (i) => words(i.kind) },
    { label: "Total", cell: (i) => money(i.total, i.currency) },
    { label: "Status", cell: (i) => words(i.status) },
    { label: "Issued", cell: (i) => when(i.issued_at) },
  ],
  empty: "No invoice found.",
};

/// The invoices the address asks for (`status=`, `kind=`, `q=`, `sort=`).
export const showInvoices = (params) => showList(INVOICE_LIST, params);
