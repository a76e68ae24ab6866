// The payment provider's card field, for every page that takes a card. The
// card is typed into the provider's own frame (the simulated provider's card
// page, or Stripe's Payment Element) and goes to the provider only; the page
// gets back a payment method id, which is all the shop's API takes.

import { api } from "./api.js";

/// The provider refused the card, or could not be reached: its words.
export class CardError extends Error {}

let setup = null;

function providerSetup() {
  setup ??= api("/api/payments/setup");
  return setup;
}

/// Mounts the card field in `container`; `amount` (minor units) and
/// `currency` describe the payment, or leave it a card to save. Returns
/// `{ paymentMethod() }`, which resolves to the payment method's id.
export async function cardField(container, { amount, currency } = {}) {
  const given = await providerSetup();
  if (given.provider === "stripe") return stripeField(container, given.publishable_key, amount, currency);
  return simulatedField(container, given.card_page);
}

/// The simulated provider's card page, framed; messages only from and to
/// this site's origin, and only from this frame.
function simulatedField(container, page) {
  const frame = document.createElement("iframe");
  frame.title = "Card details";
  frame.className = "card-frame";
  let ready;
  const loaded = new Promise((resolve) => { ready = resolve; });
  let pending = null;
  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin || event.source !== frame.contentWindow) return;
    const message = event.data;
    if (message?.source !== "simulated-card") return;
    if (message.type === "ready") ready();
    if (message.type === "height") frame.style.height = `${Math.ceil(message.height)}px`;
    if (message.type === "payment_method") pending?.resolve(message.id);
    if (message.type === "error") pending?.reject(new CardError(message.message));
    if (message.type === "payment_method" || message.type === "error") pending = null;
  });
  frame.src = page;
  container.replaceChildren(frame);
  return {
    async paymentMethod() {
      await loaded;
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        frame.contentWindow.postMessage({ type: "make-payment-method" }, location.origin);
      });
    },
    reset() {
      frame.contentWindow?.postMessage({ type: "reset" }, location.origin);
    },
  };
}

let stripeJs = null;

function loadStripeJs() {
  stripeJs ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "https://js.stripe.com/v3";
    script.onload = () => resolve(window.Stripe);
    script.onerror = () => reject(new CardError("The payment provider's card field did not load; try again."));
    document.head.append(script);
  });
  return stripeJs;
}

/// Stripe's Payment Element in deferred-intent mode: the payment method is
/// made in the browser, the intent on the server with its id.
async function stripeField(container, publishableKey, amount, currency) {
  const Stripe = await loadStripeJs();
  const stripe = Stripe(publishableKey);
  const common = { currency: (currency ?? "usd").toLowerCase(), paymentMethodCreation: "manual", paymentMethodTypes: ["card"] };
  const options = amount ? { mode: "payment", amount, captureMethod: "manual", ...common } : { mode: "setup", ...common };
  const elements = stripe.elements(options);
  const element = elements.create("payment");
  element.mount(container);
  return {
    async paymentMethod() {
      const submitted = await elements.submit();
      if (submitted.error) throw new CardError(submitted.error.message);
      const { error, paymentMethod } = await stripe.createPaymentMethod({ elements });
      if (error) throw new CardError(error.message);
      return paymentMethod.id;
    },
    reset() {
      element.clear();
    },
  };
}
