// Two-step login in headless Chromium, on a wide and a phone screen: set up
// from the key the account page shows (the code computed here, as an app
// would), the recovery codes shown once, then logged out and in again with
// the password and the app's next code.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, signUp, totpNow, useStorefront } from "./harness.mjs";

describe("two-step login", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60" });

  const PASSWORD = "orbit bakery sourdough";

  for (const width of [1280, 390]) {
    test(`at ${width} px: turn it on, log out, log in with a code`, async () => {
      const page = await app.browser.newPage({ viewport: { width, height: 900 } });
      const email = `grace-${width}@example.com`;
      await page.goto(`${app.server.base}/account.html`);
      await page.locator("#signup-form").getByLabel("Password").fill(PASSWORD);
      await signUp(page, app.server.base, { name: "Grace Hopper", email, country: "US" });
      await page.locator("#customer-name").getByText("Grace Hopper").waitFor();

      const start = page.locator("#two-step-start");
      await page.locator("#two-step-status").getByText(/Off/).waitFor();
      await start.getByLabel("Current password").fill(PASSWORD);
      await start.getByRole("button", { name: "Set up two-step login" }).click();
      await page.locator("#two-step-secret").getByText(/^[A-Z2-7]+$/).waitFor();
      const secret = (await page.locator("#two-step-secret").innerText()).trim();
      assert.match(secret, /^[A-Z2-7]{32}$/, "the key is shown as text");
      assert.match(await page.locator("#two-step-url").innerText(), /^otpauth:\/\/totp\//);

      const confirm = page.locator("#two-step-confirm");
      await confirm.getByLabel("The code your app shows now").fill("000000" === totpNow(secret) ? "111111" : "000000");
      await confirm.getByRole("button", { name: "Turn on two-step login" }).click();
      await page.locator("#two-step-message.error").getByText(/not right/).waitFor();
      await confirm.getByLabel("The code your app shows now").fill(totpNow(secret));
      await confirm.getByRole("button", { name: "Turn on two-step login" }).click();
      await page.locator("#two-step-message").getByText("Two-step login is on.").waitFor();
      assert.equal(await page.locator("#two-step-code-list li").count(), 10, "ten recovery codes");
      await page.locator("#two-step-codes").getByText(/shown only now: download or print/).waitFor();
      assert.ok(await page.locator("#two-step-download").getAttribute("href"), "a download of the codes");
      await page.locator("#two-step-status").getByText(/On:/).waitFor();
      if (width === 390) await fits(page, "the account page with two-step login");
      await shot(page, `two-step-on-${width}`);

      await page.getByRole("button", { name: "Log out", exact: true }).click();
      await page.getByText("You are logged out.").waitFor();
      const login = page.locator("#login-form");
      await login.getByLabel("Email").fill(email);
      await login.getByLabel("Password").fill(PASSWORD);
      await login.getByRole("button", { name: "Log in" }).click();
      const second = page.locator("#login-code-form");
      await second.waitFor();
      assert.equal(await page.locator("#signed-in").isHidden(), true, "no session before the code");
      if (width === 390) await fits(page, "the login's second step");
      await shot(page, `two-step-login-${width}`);
      // The code that turned it on is spent: the app's next one logs in.
      await second.getByLabel(/authenticator app shows/).fill(totpNow(secret, 1));
      await second.getByRole("button", { name: "Log in" }).click();
      await page.locator("#customer-name").getByText("Grace Hopper").waitFor();
      await page.locator("#two-step-status").getByText(/On:/).waitFor();
      await page.close();
    });
  }
});
