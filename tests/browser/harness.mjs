// Starts the real `hostfront` binary on a free loopback port with its own data
// directory, and Debian's Chromium through playwright-core.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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

export async function startServer(env = {}) {
  if (!BIN) throw new Error("HOSTFRONT_BIN is not set: run ./scripts/test");
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "hostfront-site-"));
  // `timeout` makes sure the server stops by itself even if this process dies.
  const child = spawn("timeout", ["300", BIN], {
    env: {
      ...process.env,
      HOSTFRONT_LISTEN: `127.0.0.1:${port}`,
      HOSTFRONT_DATA_DIR: dataDir,
      HOSTFRONT_SIM_REGISTRAR_LATENCY_MS: "0",
      HOSTFRONT_LOG: "warn",
      HOSTFRONT_DEV_TOOLS: "true",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
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
export function useStorefront(env = {}) {
  const context = {};
  before(async () => {
    context.server = await startServer(env);
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

/// Fills and sends the signup form on `page`, then follows the mailed link.
export async function signUp(page, base, { name, email, country }) {
  const signup = page.locator("#signup-form");
  await signup.getByLabel("Your name").fill(name);
  await signup.getByLabel("Email").fill(email);
  await signup.getByLabel("Country").fill(country);
  if (!(await signup.getByLabel("Password").inputValue())) {
    await signup.getByRole("button", { name: "Generate" }).click();
  }
  await signup.getByRole("button", { name: "Create account" }).click();
  await page.locator("#account-message").getByText(/We sent a mail to/).waitFor();
  await page.goto(await verificationLink(base, email.toLowerCase()));
}
