// The simulated payment provider's card field. The shop's page frames it and
// asks it, by a message, for a payment method: it posts the card to the
// provider (never to the shop's API) and answers with the payment method's
// id and what identifies the card, never its number. Messages go only to
// and come only from the shop's own origin, which frames it.

const form = document.getElementById("card");
const error = document.getElementById("card-error");
const origin = location.origin;

function tell(message) {
  if (window.parent !== window) window.parent.postMessage({ source: "simulated-card", ...message }, origin);
}

function fields() {
  const data = new FormData(form);
  return {
    number: String(data.get("number") ?? "").replace(/[\s-]+/g, ""),
    exp_month: Number(data.get("exp_month")),
    exp_year: Number(data.get("exp_year")),
    cvc: String(data.get("cvc") ?? "").trim(),
  };
}

function refuse(message) {
  error.textContent = message;
  tell({ type: "error", message });
}

async function makePaymentMethod() {
  error.textContent = "";
  const card = fields();
  if (!card.number || !card.exp_month || !card.exp_year || !card.cvc) {
    refuse("Enter the card number, its expiry month and year, and its security code.");
    return;
  }
  try {
    const response = await fetch("/simulated-gateway/v1/payment_methods", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "omit",
      body: JSON.stringify(card),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      refuse(answer.error?.message ?? "The card could not be checked; try again.");
      return;
    }
    tell({ type: "payment_method", id: answer.id, card: answer.card });
  } catch {
    refuse("The payment provider is not answering; try again.");
  }
}

window.addEventListener("message", (event) => {
  if (event.origin !== origin || event.source !== window.parent) return;
  if (event.data?.type === "make-payment-method") makePaymentMethod();
  if (event.data?.type === "reset") form.reset();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  makePaymentMethod();
});

new ResizeObserver(() => tell({ type: "height", height: document.documentElement.scrollHeight }))
  .observe(document.body);
tell({ type: "ready" });
