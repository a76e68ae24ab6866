// A member of staff's own account in the console: their sessions (this
// one marked), a wrong current password refused beside the form, and the
// authenticator moved to a new one (its secret shown, a code of it typed
// back, new recovery codes shown once); at 390 px the page fits and what
// an action did is on screen.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, totpNow, useStorefront } from "./harness.mjs";
import { inView, logIn, visit } from "./staff.mjs";

describe("a member's own account in the console", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "100" }, { admin: "grace@staff.example" });

  test("sessions, password and authenticator, at 390 and 1280 px", async () => {
    // One login: a code is good once, and the next login would wait for the next one.
    const context = await app.browser.newContext({ viewport: { width: 390, height: 900 } });
    const page = await context.newPage();
    await logIn(page, app.server);
    await visit(page, "Your account", "Your account");
    await page.locator("#session-table tbody tr").first().waitFor();
    assert.ok((await page.locator("#session-table").textContent()).includes("(this one)"), "this session is marked");

    const password = page.locator("#password-form");
    await password.getByLabel("Current password").fill("not my password");
    await password.getByLabel("Code from your authenticator").fill("123456");
    await password.getByLabel("New password").fill("a brand new staff password");
    await password.getByRole("button", { name: "Change the password" }).click();
    const refused = password.locator("[data-note]");
    await refused.getByText(/password or code is not correct/).waitFor();
    assert.ok(await inView(refused), "the refusal shows beside the form, on screen");
    await fits(page, "console account 390");
    await shot(page, "console-account-390");

    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(page, "console-account-1280");
    const move = page.locator("#authenticator-form");
    await move.getByLabel("Password").fill(app.server.staff.password);
    await move.getByLabel("Code from your current authenticator").fill(totpNow(app.server.staff.secret, 1));
    await move.getByRole("button", { name: "Show a new secret" }).click();
    const confirm = page.locator("#authenticator-confirm");
    await confirm.waitFor();
    const secret = (await page.locator("#new-secret").textContent()).trim();
    assert.match(secret, /^[A-Z2-7]{16,}$/, "a base32 secret");
    assert.match(await page.locator("#new-secret-link").getAttribute("href"), /^otpauth:\/\/totp\//);
    await confirm.getByLabel("Code from the new authenticator").fill(totpNow(secret));
    await confirm.getByRole("button", { name: "Use the new authenticator" }).click();
    await page.locator("#recovery-list li").first().waitFor();
    assert.equal(await page.locator("#recovery-list li").count(), 10);
    await shot(page, "console-account-new-authenticator");
    await context.close();
  });
});
