// The account's own settings in headless Chromium, on a wide and a phone
// screen: a forgotten password set again from the mailed link, the name
// changed, the password changed with a wrong try first.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, signUp, useStorefront } from "./harness.mjs";

describe("account settings", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60" });

  const PASSWORD = "orbit bakery sourdough";

  /// The link of the newest mail of `kind` to `email`, read from the local outbox.
  async function mailedLink(email, kind, fragment) {
    for (let i = 0; i < 50; i++) {
      const mails = await (await fetch(`${app.server.base}/api/outbox`)).json();
      const mail = mails.find((m) => m.to === email && m.kind === kind);
      if (mail) return mail.text.match(new RegExp(`https?://\\S+${fragment}\\S+`))[0];
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${kind} mail to ${email}`);
  }

  /// Sends `form` with its button `button`; waits for `text` beside it.
  async function send(form, button, message, text) {
    await form.getByRole("button", { name: button }).click();
    await message.getByText(text).waitFor();
  }

  for (const width of [1280, 390]) {
    test(`at ${width} px: change name and password, then forget it and set a new one from the mail`, async () => {
      let page = await app.browser.newPage({ viewport: { width, height: 900 } });
      const email = `ada-${width}@example.com`;
      await page.goto(`${app.server.base}/account.html`);
      await page.locator("#signup-form").getByLabel("Password").fill(PASSWORD);
      await signUp(page, app.server.base, { name: "Ada Lovelace", email, country: "GB" });
      await page.locator("#customer-name").getByText("Ada Lovelace").waitFor();

      const details = page.locator("#details-form");
      await details.getByLabel("Your name").fill("Ada King");
      await send(details, "Save name and country", page.locator("#details-message"), "Saved.");
      await page.locator("#customer-name").getByText("Ada King").waitFor();

      const password = page.locator("#password-form");
      await password.getByLabel("Current password").fill("not the password");
      await password.getByLabel("New password").fill("a second long secret");
      await send(password, "Change password", page.locator("#password-message.error"), /not correct/);
      assert.equal(await page.evaluate(() => document.activeElement.id), "password-message", "the refusal is focused");
      assert.equal(await page.locator("#password-message").getAttribute("role"), "alert");
      await password.getByLabel("Current password").fill(PASSWORD);
      await send(password, "Change password", page.locator("#password-message:not(.error)"), /Password changed/);
      await page.reload();
      await page.locator("#customer-name").getByText("Ada King").waitFor();
      if (width === 390) await fits(page, "the account page");
      await shot(page, `account-settings-${width}`);

      await page.getByRole("button", { name: "Log out", exact: true }).click();
      await page.getByText("You are logged out.").waitFor();
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      const forgot = page.locator("#forgot-form");
      await forgot.getByLabel("Email").fill(email);
      await send(forgot, "Mail me a link", page.locator("#forgot-message"), /If an account uses this address/);
      if (width === 390) await fits(page, "the forgotten-password page");

      // The link opens in a new tab, as from a mail.
      const link = await mailedLink(email, "password_reset", "#token=");
      await page.close();
      page = await app.browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(link);
      const reset = page.locator("#reset-form");
      await reset.waitFor();
      assert.doesNotMatch(page.url(), /token=/, "the token leaves the address bar");
      await reset.getByLabel("New password").fill("password123");
      await send(reset, "Set password", page.locator("#reset-message.error"), /too easy to guess/);
      await reset.getByLabel("New password").fill("a third long secret");
      await reset.getByRole("button", { name: "Set password" }).click();
      await page.locator("#reset-done").waitFor();
      await shot(page, `password-reset-${width}`);

      await page.locator("#reset-done").getByRole("link", { name: "Log in" }).click();
      await page.getByRole("tab", { name: "Log in" }).click();
      const login = page.locator("#login-form");
      await login.getByLabel("Email").fill(email);
      await login.getByLabel("Password").fill("a third long secret");
      await login.getByRole("button", { name: "Log in" }).click();
      await page.locator("#customer-name").getByText("Ada King").waitFor();
      await page.close();
    });
  }
});
