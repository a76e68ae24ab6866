// Mail templates in the staff console, in Chromium: an admin opens the
// password reset, inserts a field from the list beside the editor, sees
// a hostile placeholder refused beside the preview with its line, sees
// the live preview (the HTML part in a frame that runs nothing), sends a
// test to herself, saves, and goes back to the built-in letter after a
// question; the list says which letters are rewritten. At 390 px the list,
// the editor and the question fit.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, useStorefront } from "./harness.mjs";
import { consoleApi, logIn, visit } from "./staff.mjs";

describe("mail templates in the console", () => {
  const app = useStorefront({}, { admin: "grace@staff.example" });
  const shared = {};

  test("rewrite the password reset, preview it, test it, save it, go back", async () => {
    shared.context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await shared.context.newPage();
    await logIn(page, app.server);
    await visit(page, "Mail templates", "Mail templates");
    const row = page.locator('#letter-table [data-letter="password_reset"]');
    await row.getByText("The built-in letter").waitFor();
    await shot(page, "mail-templates");
    await row.getByRole("link", { name: "Password reset" }).click();
    await page.getByRole("heading", { level: 1, name: "Mail template: Password reset" }).waitFor();
    assert.match(page.url(), /#\/mail\/password_reset$/);

    const body = page.getByLabel("Body");
    await page.locator("#preview-text", { hasText: /^Hello Ada Lovelace,/ }).waitFor();
    await body.fill("Dear {{7*7}},\n\nopen ");
    const said = page.locator('[data-note="letter-preview"]');
    await said.getByText("Body, line 1: `{{7*7}}` is not a field name", { exact: false }).waitFor();
    await body.fill("Dear customer,\n\nopen ");
    await body.press("End");
    await page.getByRole("button", { name: "Insert link" }).click();
    assert.equal(await body.inputValue(), "Dear customer,\n\nopen {{link}}");
    await body.fill("Dear customer,\n\nopen {{link}}\n\n<script>alert('x')</script>");
    await page.locator("#preview-text", { hasText: "open https://shop.example/account.html#token=example" }).waitFor();
    await page.locator("#preview-subject", { hasText: "Set a new password for Example Hosting" }).waitFor();
    const frame = page.locator("#preview-html");
    assert.equal(await frame.getAttribute("sandbox"), "", "the HTML part runs nothing");
    const inFrame = page.frameLocator("#preview-html");
    await inFrame.getByRole("link", { name: "https://shop.example/account.html#token=example" }).waitFor();
    await inFrame.getByText("<script>alert('x')</script>").waitFor();
    await shot(page, "mail-template-editor");
    // A full-page capture leaves the sandboxed frame blank: the preview on its own shows it drawn.
    const folder = process.env.HOSTFRONT_SCREENSHOTS;
    if (folder) await page.locator("#letter-preview-area").screenshot({ path: `${folder}/mail-template-preview.png` });

    const form = page.locator("#letter-form");
    await form.getByRole("button", { name: "Send me a test" }).click();
    await form.getByText(/A test mail, “\[Test\] Set a new password for Example Hosting”, went to grace@staff\.example\./).waitFor();
    await form.getByRole("button", { name: "Save as a new version" }).click();
    await form.getByText("Saved as version 1: mails of “Password reset” use it from now on.").waitFor();
    await page.locator("#letter-in-use").getByText("Mails use your template, version 1.").waitFor();
    await page.locator('#version-table [data-version="1"]').getByText("1 (in use)").waitFor();

    await page.getByRole("button", { name: "Go back to the built-in letter" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/Mails of “Password reset” use the built-in letter from now on/).waitFor();
    await shot(page, "mail-template-revert");
    await dialog.getByRole("button", { name: "Use the built-in letter" }).click();
    await page.locator('[data-note="letter-versions"]').getByText("Version 2 is in use: reverted to the built-in letter.").waitFor();
    const letter = await consoleApi(page, "/api/admin/mail-templates/password_reset");
    assert.deepEqual(letter.versions.map((v) => v.note), ["reverted to the built-in letter", "saved"]);
    assert.equal(letter.overridden, false);

    await visit(page, "Mail templates", "Mail templates");
    await row.getByText("The built-in letter").waitFor();
    await page.close();
  });

  test("390 pixels wide: the list, the editor and the question fit", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await context.addCookies(await shared.context.cookies());
    const page = await context.newPage();
    await page.goto(`${app.server.base}/admin/#/mail`);
    await page.getByRole("heading", { level: 1, name: "Mail templates" }).waitFor();
    await page.locator('#letter-table [data-letter="order_received"]').waitFor();
    await fits(page, "the mail templates");
    await shot(page, "phone-mail-templates");
    await page.locator("#letter-table").getByRole("link", { name: "Order received" }).click();
    await page.getByRole("heading", { level: 1, name: "Mail template: Order received" }).waitFor();
    await page.locator("#preview-text", { hasText: "Invoice INV-000042" }).waitFor();
    await fits(page, "the mail template editor");
    await shot(page, "phone-mail-template-editor");
    await page.getByRole("button", { name: "Save as a new version" }).click();
    await page.locator('[data-note="letter-form"]').getByText(/Saved as version 1/).waitFor();
    await page.locator('#version-table [data-version="1"]').waitFor();
    await page.getByRole("button", { name: "Go back to the built-in letter" }).click();
    await page.getByRole("dialog").getByText(/Go back to the built-in letter\?/).waitFor();
    await fits(page, "the question before going back");
    await shot(page, "phone-mail-template-revert");
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await context.close();
  });
});
