// The whole purchase with the keyboard only, as someone who cannot use a
// mouse shops: search, add to the cart, the cart, signing up, the order
// and paying by card in the provider's frame; only Tab, Shift+Tab, Enter,
// Space and typing, each control reached by Tab from where the last left
// the focus.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { shot, useStorefront, verificationLink } from "./harness.mjs";

/// What has the focus: its tag, its accessible words, and whether it is in
/// the card frame.
async function focused(page) {
  const top = await page.evaluate(() => {
    const e = document.activeElement;
    const label = e?.labels?.[0]?.textContent ?? e?.getAttribute("aria-label") ?? e?.textContent ?? "";
    return { tag: e?.tagName.toLowerCase(), words: label.replace(/\s+/g, " ").trim(), type: e?.type ?? "" };
  });
  if (top.tag !== "iframe") return top;
  const inner = await page.frameLocator("iframe.card-frame").locator(":focus").evaluate((e) => ({
    tag: e.tagName.toLowerCase(), words: (e.labels?.[0]?.textContent ?? "").replace(/\s+/g, " ").trim(), type: e.type ?? "", frame: true,
  }));
  return inner;
}

/// Presses Tab until the focus is on a control whose words match `words`.
async function tabTo(page, words, { tag } = {}) {
  const seen = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const here = await focused(page);
    seen.push(here.words.slice(0, 30));
    if (words.test(here.words) && (!tag || here.tag === tag)) return here;
  }
  throw new Error(`Tab never reached ${words}; it went through: ${seen.join(" | ")}`);
}

describe("the purchase, keyboard only", () => {
  const app = useStorefront();

  test("search, cart, signup, order and card payment without a mouse", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.base);
    // The search box has the focus on arrival.
    assert.equal((await focused(page)).tag, "input");
    await page.keyboard.type("keyboardbakery.com");
    const offer = page.locator('#search-results .offer[data-domain="keyboardbakery.com"]');
    await offer.getByRole("button", { name: "Add to cart" }).waitFor();
    await tabTo(page, /^Add to cart$/);
    await page.keyboard.press("Enter");
    await offer.getByRole("button", { name: "In cart" }).waitFor();
    await tabTo(page, /^Continue to your cart$/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/cart\.html$/);

    // The cart: a plan chosen with the arrow keys, on to checkout.
    await page.locator("#cart-total").getByText(/Total/).waitFor();
    await tabTo(page, /^Plan/, { tag: "select" });
    await page.keyboard.press("ArrowDown");
    await page.locator("#cart-lines").getByText(/Web Starter, a month/).waitFor();
    // A radio group is one Tab stop; the arrow keys choose within it.
    await tabTo(page, /^Monthly$/);
    await page.keyboard.press("ArrowDown");
    await page.locator("#cart-lines").getByText(/Web Starter, a year/).waitFor();
    await tabTo(page, /^Continue to checkout$/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/order\.html$/);
    await page.locator("#place-order").getByText("Log in to place your order").waitFor();
    await tabTo(page, /^Log in to place your order$/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/account\.html\?next=/);

    // Signing up.
    await page.locator("#signup-form").waitFor();
    await tabTo(page, /^Your name/);
    await page.keyboard.type("Kay Board");
    await tabTo(page, /^Email/);
    await page.keyboard.type("kay@example.com");
    await tabTo(page, /^Password/);
    await page.keyboard.type("a keyboard-only password");
    await tabTo(page, /^Country/, { tag: "select" });
    await page.keyboard.type("Ireland");
    await tabTo(page, /^Create account$/);
    await page.keyboard.press("Enter");
    await page.locator("#account-message").getByText(/We sent a mail to/).waitFor();
    await page.goto(await verificationLink(app.server.base, "kay@example.com"));
    await page.waitForURL(/\/order\.html$/);

    // The order: the cart's domain and plan are chosen; a password generated.
    await page.locator("#plan option").first().waitFor({ state: "attached" });
    assert.ok(await page.getByLabel(/Register keyboardbakery\.com/).isChecked());
    await tabTo(page, /^Generate$/);
    await page.keyboard.press("Enter");
    await tabTo(page, /^Place order$/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/order\.html\?id=/);

    // The card, typed into the provider's frame.
    await page.locator("#pay-form").waitFor();
    const here = await tabTo(page, /^Card number/);
    assert.ok(here.frame, "the card number is the provider's own field");
    await page.keyboard.type("4242 4242 4242 4242");
    await tabTo(page, /^Month/);
    await page.keyboard.type("12");
    await tabTo(page, /^Year/);
    await page.keyboard.type("2099");
    await tabTo(page, /^CVC/);
    await page.keyboard.type("123");
    await tabTo(page, /^Pay$/);
    await page.keyboard.press("Enter");
    await page.locator('#order[data-status="active"]').waitFor({ timeout: 20000 });
    await shot(page, "keyboard-order-live");
    await page.close();
  });
});
