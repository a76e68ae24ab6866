// The shop's header, written once. The pages are plain files, served as they
// are (by the local server, and from S3 behind CloudFront), so each page
// carries its header in its HTML: it shows at once, with no script, and
// keeps the banner landmark. This module is the one place to change it:
//
//   node tests/browser/header.mjs --write
//
// puts it into every page, and header.test.mjs fails while a page differs.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const SITE = fileURLToPath(new URL("../../site/", import.meta.url));

const LINKS = {
  plans: '<a href="/#plans">Plans</a>',
  portal: '<a href="/portal.html">Portal</a>',
  account: '<a href="/account.html">Account</a>',
  cart: '<a href="/cart.html" class="cart-link">Cart <span id="cart-count" class="badge">0</span></a>',
  print: '<button type="button" id="print" class="secondary">Print</button>',
};

const SHOP = ["plans", "account", "cart"];

/// The shop's pages, each with what its navigation offers.
export const PAGES = {
  "index.html": SHOP,
  "account.html": SHOP,
  "order.html": SHOP,
  "cart.html": SHOP,
  "portal.html": ["plans", "portal", "account", "cart"],
  "invoice.html": ["portal", "print"],
  "404.html": ["account"],
  "outbox.html": ["account"],
  "reset-password.html": SHOP,
  "proposal.html": ["account"],
};

/// Pages that are not the shop's, with a header of their own.
export const OWN_HEADER = {
  "bank.html": "the simulated bank's page speaks in the bank's name",
  "admin/index.html": "the staff console has its own navigation",
  "preview.html": "the preview of a client's website speaks in the company's name, over the website",
  "simulated-provider.html": "the simulated payment provider's dashboard speaks in the provider's name",
};

const NOTE = "<!-- The header is written in tests/browser/header.mjs: change it there, then run node tests/browser/header.mjs --write -->";

/// The header with `nav`, indented as it stands in a page's <body>.
export function header(nav) {
  const lines = [NOTE, '<header class="top">', '  <a class="brand" href="/">Hostfront</a>', "  <nav>",
    ...nav.map((link) => `    ${LINKS[link]}`), "  </nav>", "</header>"];
  return lines.map((line) => `  ${line}`).join("\n");
}

// The header in a page, with the note before it once it has one.
const IN_PAGE = /^ {2}(?:<!-- The header is written in [^\n]*-->\n {2})?<header class="top">[\s\S]*?<\/header>/m;

/// `html` with its header made as `nav` says.
export function withHeader(html, nav) {
  if (!IN_PAGE.test(html)) throw new Error('no <header class="top"> at the start of a line');
  return html.replace(IN_PAGE, () => header(nav));
}

/// Every page of the site, as paths relative to it.
export function pages() {
  return readdirSync(SITE, { recursive: true }).filter((path) => path.endsWith(".html")).sort();
}

/// Puts the header into every shop page that differs.
function writePages() {
  for (const [page, nav] of Object.entries(PAGES)) {
    const path = join(SITE, page);
    const html = readFileSync(path, "utf8");
    const made = withHeader(html, nav);
    if (made !== html) {
      writeFileSync(path, made);
      console.log(`${page}: header written`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--write")) writePages();
  else console.log("usage: node tests/browser/header.mjs --write");
}
