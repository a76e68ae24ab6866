// What the staff console's tests share: a customer with a paid order,
// their own browser page, the admin's login, and finding one's way in the
// console's navigation (a sidebar on a wide screen, a menu on a phone), a
// record's move, and what going live needs (a site's customer, a TXT proof).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { apiCustomer, totpNow } from "./harness.mjs";

/// A customer's paid order; paid from another country (`US`), it is held for review.
export async function paidOrder(base, billingCountry = "US") {
  const { email, call } = await apiCustomer(base, { name: "Hedy Lamarr", country: "AT", prefix: "hedy" });
  const order = await call("/api/orders", { plan_id: "web-starter", cycle: "monthly", username: `hedy${Date.now() % 100000}`, generate_password: true, domain: { action: "register", name: `frequency-hopping-${Date.now()}.com` } });
  const paid = await call(`/api/orders/${order.id}/pay`, { payment_method: "pm_card_visa", billing_country: billingCountry });
  assert.ok(["pending_review", "provisioning"].includes(paid.status), JSON.stringify(paid));
  return { id: order.id, email, customerId: paid.invoice?.customer_id };
}

/// A browser page logged in as the customer `email` of `paidOrder` (or
/// `apiCustomer`), at `viewport` when given (a phone's below 500 px).
export async function customerPage(browser, base, email, viewport = null) {
  const options = !viewport ? {} : viewport.width < 500 ? { viewport, isMobile: true, hasTouch: true } : { viewport };
  const page = await (await browser.newContext(options)).newPage();
  await page.goto(`${base}/`);
  const status = await page.evaluate(async (email) => (await fetch("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct horse battery" }),
  })).status, email);
  assert.equal(status, 200, "the customer logs in");
  return page;
}

/// What the console's API answers at `path`, on a page logged in as staff;
/// with `body`, to that POSTed as the console sends it.
export function consoleApi(page, path, body = null) {
  return page.evaluate(async ([path, body]) => (await fetch(path, body && {
    method: "POST",
    headers: { "content-type": "application/json", "x-hostfront-console": "1" },
    body: JSON.stringify(body),
  })).json(), [path, body]);
}

/// Waits until the order `id` is in `status`, as the console's API says.
export async function waitForStatus(page, id, status) {
  let now = null;
  for (let i = 0; i < 150 && now !== status; i++) {
    now = (await consoleApi(page, `/api/admin/orders/${id}`)).status;
    if (now !== status) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(now, status, `order ${id}`);
}

/// Sends the console's login form with the admin of `server` and `code`.
async function sendLogin(page, server, code) {
  const form = page.locator("#login-form");
  await form.getByLabel("Email").fill(server.staff.email);
  await form.getByLabel("Password").fill(server.staff.password);
  await form.getByLabel(/^Code from your authenticator/).fill(code);
  await form.getByRole("button", { name: "Log in" }).click();
}

/// Logs the admin of `server` in on `page` with the code of now.
export async function logInNow(page, server) {
  await page.goto(`${server.base}/admin/`);
  await sendLogin(page, server, totpNow(server.staff.secret));
  await page.locator("#who").getByText(`<${server.staff.email}>, admin`).waitFor();
}

/// Logs the admin of `server` in on `page`, first with a wrong code.
export async function logIn(page, server) {
  await page.goto(`${server.base}/admin/`);
  await sendLogin(page, server, "000000");
  await page.locator("#login-message").getByText(/password or code is wrong/).waitFor();
  await sendLogin(page, server, totpNow(server.staff.secret));
  await page.locator("#who").getByText("Grace Hopper <grace@staff.example>, admin").waitFor();
}

/// Goes to the console's area `name` as staff do: by its link in the
/// navigation, opening the menu first on a phone. Waits for its heading.
export async function visit(page, name, heading) {
  const menu = page.getByRole("button", { name: "Menu" });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: new RegExp(`^${name}`) }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/// Whether `locator` is wholly inside the page's viewport now.
export async function inView(locator) {
  return locator.evaluate((node) => {
    const box = node.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth;
  });
}

/// Makes the move `label` of the record `scope`: its button, why, and what else it asks for.
export async function move(scope, label, why, fields = {}) {
  await scope.getByRole("button", { name: label, exact: true }).click();
  const form = scope.locator(`form[data-move="${label}"]`);
  for (const [name, value] of Object.entries(fields)) await form.getByLabel(name).fill(value);
  await form.getByLabel(/^Why/).fill(why);
  await form.getByRole("button", { name: label, exact: true }).click();
}

/// Records on the client site `siteId` what its accepted proposal records,
/// its customer: the online acceptance that does it is not a console page,
/// so the test writes it in the server's own database, as that acceptance would.
export function acceptedBy(server, siteId, customerId) {
  const script = [
    "import sqlite3, sys",
    "db = sqlite3.connect(sys.argv[1], timeout=10)",
    "db.execute(\"UPDATE items SET body = json_set(body, '$.customer_id', ?) WHERE pk = ? AND sk = 'SITE'\", (sys.argv[3], 'SITE#' + sys.argv[2]))",
    "db.commit()",
  ].join("\n");
  const done = spawnSync("python3", ["-c", script, join(server.dataDir, "hostfront.sqlite3"), siteId, customerId], { encoding: "utf8" });
  assert.equal(done.status, 0, done.stderr);
}

/// Publishes `value` as the TXT record proving `domain` in the server's simulated DNS.
export async function publishProof(server, domain, value) {
  const published = await fetch(`${server.base}/api/dev/dns/_hostfront-verify.${domain}`, {
    method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ txt: [value] }),
  });
  assert.equal(published.status, 204);
}
