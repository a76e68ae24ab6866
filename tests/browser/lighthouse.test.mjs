// Lighthouse (mobile preset: a mid-range phone on a slow 4G link, simulated)
// on Debian's Chromium, on the pages a customer meets first: the home page and
// the account page as a visitor, the checkout and the portal logged in. Each
// must load at once and hold still, be accessible and follow best practices;
// the public pages must be findable.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { startServer, verificationLink } from "./harness.mjs";

const CHROMIUM = process.env.HOSTFRONT_CHROMIUM ?? "/usr/bin/chromium";
const REPORTS = process.env.HOSTFRONT_SCREENSHOTS;

/// The session cookie of a new customer, signed up and verified over HTTP.
async function customerCookie(base) {
  const email = "lighthouse@example.com";
  const signup = await fetch(`${base}/api/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct horse battery", name: "Ada Lovelace", country: "GB" }),
  });
  assert.equal(signup.status, 202);
  const token = (await verificationLink(base, email)).split("#verify=")[1];
  const verified = await fetch(`${base}/api/verify-email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  assert.equal(verified.status, 201);
  return verified.headers.get("set-cookie").split(";")[0];
}

describe("Lighthouse, mobile", () => {
  const context = {};
  before(async () => {
    context.server = await startServer();
    context.cookie = await customerCookie(context.server.base);
    context.chrome = await chromeLauncher.launch({
      chromePath: CHROMIUM,
      chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  });
  after(async () => {
    await context.chrome?.kill();
    await context.server?.stop();
  });

  /// The page's Lighthouse result, its report kept beside the screenshots.
  async function audit(path, { loggedIn }) {
    const options = {
      port: context.chrome.port,
      output: "html",
      logLevel: "error",
      ...(loggedIn ? { extraHeaders: { Cookie: context.cookie } } : {}),
    };
    let run = await lighthouse(`${context.server.base}${path}`, options);
    // A trace Chromium failed to record says so and asks to be run again;
    // once, so that anything else still fails.
    if (run.lhr.runtimeError?.code === "NO_NAVSTART") run = await lighthouse(`${context.server.base}${path}`, options);
    if (REPORTS) {
      mkdirSync(REPORTS, { recursive: true });
      const name = `lighthouse-${path.replace(/\W+/g, "") || "home"}.html`;
      writeFileSync(join(REPORTS, name), run.report);
    }
    assert.equal(run.lhr.runtimeError, undefined, JSON.stringify(run.lhr.runtimeError));
    return run.lhr;
  }

  /// What fell short in `category`, to say why it is under target.
  function shortfalls(lhr, category) {
    return lhr.categories[category].auditRefs
      .map((ref) => lhr.audits[ref.id])
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative")
      .map((a) => `${a.id} ${a.score}${a.displayValue ? ` (${a.displayValue})` : ""}`);
  }

  function meetsTargets(lhr, { findable }) {
    const score = (category) => lhr.categories[category].score;
    const cls = lhr.audits["cumulative-layout-shift"].numericValue;
    assert.ok(score("performance") >= 0.95, `performance ${score("performance")}: ${shortfalls(lhr, "performance")}`);
    assert.equal(score("accessibility"), 1, `${shortfalls(lhr, "accessibility")}`);
    assert.equal(score("best-practices"), 1, `${shortfalls(lhr, "best-practices")}`);
    if (findable) assert.ok(score("seo") >= 0.95, `SEO ${score("seo")}: ${shortfalls(lhr, "seo")}`);
    assert.ok(cls <= 0.05, `layout shift ${cls}`);
  }

  for (const [path, loggedIn] of [["/", false], ["/account.html", false], ["/cart.html", false], ["/order.html", true], ["/portal.html", true]]) {
    test(`${path}${loggedIn ? ", logged in" : ""}`, async () => {
      meetsTargets(await audit(path, { loggedIn }), { findable: !loggedIn });
    });
  }
});
