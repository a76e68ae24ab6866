// "Your data" on the account page in headless Chromium, on a wide and a
// phone screen: the download of everything held about the account, and
// its erasure, refused with a wrong password, then done.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { fits, shot, signUp, useStorefront } from "./harness.mjs";

describe("your data", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60" });

  const PASSWORD = "orbit bakery sourdough";

  for (const width of [1280, 390]) {
    test(`at ${width} px: download my data, then erase the account`, async () => {
      const page = await app.browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
      const email = `grace-${width}@example.com`;
      await page.goto(`${app.server.base}/account.html`);
      await page.locator("#signup-form").getByLabel("Password").fill(PASSWORD);
      await signUp(page, app.server.base, { name: "Grace Hopper", email, country: "GB" });
      await page.locator("#customer-name").getByText("Grace Hopper").waitFor();

      const downloaded = page.waitForEvent("download");
      await page.getByRole("button", { name: "Download my data" }).click();
      const file = await downloaded;
      assert.match(file.suggestedFilename(), /^hostfront-export-\d{4}-\d{2}-\d{2}\.json$/);
      const exported = JSON.parse(await readFile(await file.path(), "utf8"));
      assert.equal(exported.profile.email, email);
      assert.equal(exported.profile.name, "Grace Hopper");
      await page.locator("#export-message").getByText(/Downloaded hostfront-export-/).waitFor();

      await page.getByText("Erase my account", { exact: true }).first().click();
      const form = page.locator("#erasure-form");
      await form.getByLabel("Current password").fill("not the password");
      await form.getByLabel(/to confirm/).fill("erase my account");
      if (width === 390) await fits(page, "the account page with the erasure form");
      await shot(page, `your-data-${width}`);
      await form.getByRole("button", { name: "Erase my account" }).click();
      await page.locator("#erasure-message.error").getByText(/not correct/).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.id), "erasure-message", "the refusal is focused");

      await form.getByLabel("Current password").fill(PASSWORD);
      await form.getByRole("button", { name: "Erase my account" }).click();
      await page.getByText(/Your account is erased/).waitFor();
      assert.equal(await page.locator("#signed-in").isHidden(), true);
      await page.reload();
      await page.locator("#signup-form").waitFor();
      const session = await (await page.request.get(`${app.server.base}/api/session`)).json();
      assert.equal(session.customer, null, "logged out for good");
      await page.close();
    });
  }
});
