// Starts the real `hostfront` binary on a free loopback port with its own data
// directory, and Debian's Chromium through playwright-core.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

const BIN = process.env.HOSTFRONT_BIN;
const CHROMIUM = process.env.HOSTFRONT_CHROMIUM ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/// Makes the first admin with the `create-admin` command, as the README
/// says, and reads their password and authenticator secret from its output.
function createAdmin(serverEnv, email) {
  const made = spawnSync("timeout", ["60", BIN, "create-admin", email, "Grace Hopper"], { env: serverEnv, encoding: "utf8" });
  if (made.status !== 0) throw new Error(`create-admin failed: ${made.stderr}`);
  return {
    email,
    password: made.stdout.match(/^Password: +(\S+)$/m)[1],
    secret: made.stdout.match(/type the secret ([A-Z2-7]+)/)[1],
  };
}

export async function startServer(env = {}, { admin } = {}) {
  if (!BIN) throw new Error("HOSTFRONT_BIN is not set: run ./scripts/test");
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "hostfront-site-"));
  const serverEnv = {
    ...process.env,
    HOSTFRONT_LISTEN: `127.0.0.1:${port}`,
    HOSTFRONT_DATA_DIR: dataDir,
    HOSTFRONT_SIM_REGISTRAR_LATENCY_MS: "0",
    HOSTFRONT_LOG: "warn",
    HOSTFRONT_DEV_TOOLS: "true",
    ...env,
  };
  const staff = admin ? createAdmin(serverEnv, admin) : null;
  // `timeout` makes sure the server stops by itself even if this process dies.
  const child = spawn("timeout", ["300", BIN], { env: serverEnv, stdio: ["ignore", "ignore", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(`${base}/api/health`);
      if (response.ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    base,
    staff,
    dataDir,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/// Starts a server (with `env`) and a browser before the suite's tests and
/// stops both after them; the returned object holds them meanwhile.
export function useStorefront(env = {}, options = {}) {
  const context = {};
  before(async () => {
    context.server = await startServer(env, options);
    context.browser = await startBrowser();
  });
  after(async () => {
    await context.browser?.close();
    await context.server?.stop();
  });
  return context;
}

/// The verification link mailed to `email`, read from the local development outbox.
export async function verificationLink(base, email) {
  for (let i = 0; i < 50; i++) {
    const mails = await (await fetch(`${base}/api/outbox`)).json();
    const mail = mails.find((m) => m.to === email && m.kind === "verify_email");
    if (mail) return mail.text.match(/https?:\/\/\S+#verify=\S+/)[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no verification mail to ${email}`);
}

/// A customer signed up and verified through the API, and `call`, which
/// sends as them (their cookies kept, each change with its own
/// Idempotency-Key): `{ email, call }`.
export async function apiCustomer(base, { name, country = "GB", prefix = "customer" }) {
  const jar = [];
  const call = async (path, body, method = "POST") => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json", cookie: jar.join("; "), "idempotency-key": crypto.randomUUID() },
      body: body ? JSON.stringify(body) : undefined,
    });
    const cookie = response.headers.get("set-cookie");
    if (cookie) jar.push(cookie.split(";")[0]);
    return response.json().catch(() => null);
  };
  const email = `${prefix}${Date.now()}${Math.floor(Math.random() * 1000)}@example.com`;
  await call("/api/signup", { email, password: "correct horse battery", name, country });
  const token = (await verificationLink(base, email)).split("#verify=")[1];
  await call("/api/verify-email", { token });
  return { email, call };
}

/// Fills and sends the signup form on `page`, then follows the mailed link.
export async function signUp(page, base, { name, email, country }) {
  const signup = page.locator("#signup-form");
  await signup.getByLabel("Your name").fill(name);
  await signup.getByLabel("Email").fill(email);
  await signup.getByLabel("Country").selectOption(country);
  if (!(await signup.getByLabel("Password").inputValue())) {
    await signup.getByRole("button", { name: "Generate" }).click();
  }
  await signup.getByRole("button", { name: "Create account" }).click();
  await page.locator("#account-message").getByText(/We sent a mail to/).waitFor();
  await page.goto(await verificationLink(base, email.toLowerCase()));
}

/// Signs up a customer on `page` and gives them a live order for `domain`,
/// placed and paid through the API with the page's own session.
export async function customerWithLiveDomain(page, base, { email, domain, username, password }) {
  await page.goto(`${base}/account.html`);
  await page.locator("#signup-form").getByLabel("Password").fill(password);
  await signUp(page, base, { name: "Katherine Johnson", email, country: "US" });
  await page.locator("#signed-in").waitFor();
  const id = await page.evaluate(async ([domain, username]) => {
    const post = (path, body, key) => fetch(path, { method: "POST", headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) }, body: JSON.stringify(body) }).then((r) => r.json());
    const order = await post("/api/orders", { plan_id: "web-starter", cycle: "monthly", username, generate_password: true, domain: { action: "register", name: domain } }, crypto.randomUUID());
    const paid = await post(`/api/orders/${order.id}/pay`, { payment_method: "pm_card_visa", billing_country: "US" });
    if (paid.error) throw new Error(JSON.stringify(paid));
    return order.id;
  }, [domain, username]);
  for (let i = 0; i < 100; i++) {
    const order = await page.evaluate(async (id) => (await fetch(`/api/orders/${id}`)).json(), id);
    if (order.status === "active") return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the order did not go live");
}

/// Fails unless nothing on `page` is wider than a 390-pixel screen, and it
/// passes axe-core.
export async function fits(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const wide = await page.evaluate(() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > 391 || e.scrollWidth > e.clientWidth + 1)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}`));
  assert.ok(width <= 390, `${what} is ${width}px wide on a 390px screen: ${wide.join(", ")}`);
  await accessible(page, what);
}

/// The payment provider's card field within `form`: the simulated
/// provider's card page, framed.
export function cardFrame(form) {
  return form.frameLocator('iframe[title="Card details"]');
}

/// Types the test card `number` into the provider's card field of `form`.
export async function fillCard(form, number, { month = "12", year = "2099", cvc = "123" } = {}) {
  const card = cardFrame(form);
  await card.getByLabel("Card number").fill(number);
  await card.getByLabel("Month").fill(month);
  await card.getByLabel("Year").fill(year);
  await card.getByLabel("CVC").fill(cvc);
}

const AXE = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/// Fails when axe-core finds a serious or critical accessibility violation
/// on `page` as it is now (its own document; the card page framed in it is
/// checked where it is a page of its own).
export async function accessible(page, what) {
  // Evaluated through the browser's protocol: the site's CSP allows no inline script.
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"], iframes: false }));
  const grave = result.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  assert.deepEqual(grave, [], `${what}: accessibility violations`);
}

/// A screenshot of the whole `page` as `name`.png, when HOSTFRONT_SCREENSHOTS
/// names a folder; every state worth a screenshot is checked with axe-core.
export async function shot(page, name) {
  await accessible(page, name);
  const folder = process.env.HOSTFRONT_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: `${folder}/${name}.png`, fullPage: true });
}

/// The code an authenticator app shows now for the base32 `secret` (RFC 6238),
/// or `steps` steps of 30 seconds from now.
export function totpNow(secret, steps = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + steps));
  const hmac = createHmac("sha1", key).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0xf;
  const code = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}
