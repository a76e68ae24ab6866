// Every shop page carries the header written in header.mjs; no page is left
// out of it without a reason. Reads files only: no server, no browser.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { OWN_HEADER, PAGES, SITE, pages, withHeader } from "./header.mjs";

test("every page of the shop carries the one header", () => {
  for (const [page, nav] of Object.entries(PAGES)) {
    const html = readFileSync(join(SITE, page), "utf8");
    assert.equal(html, withHeader(html, nav), `${page}: its header is not header.mjs's; run node tests/browser/header.mjs --write`);
  }
});

test("every page is a shop page or says why its header is its own", () => {
  const known = new Set([...Object.keys(PAGES), ...Object.keys(OWN_HEADER)]);
  assert.deepEqual(pages().filter((page) => !known.has(page)), [], "add these pages to PAGES (or OWN_HEADER) in header.mjs");
  for (const page of known) assert.ok(pages().includes(page), `${page} is named in header.mjs but is not in site/`);
});
