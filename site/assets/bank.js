// The simulated bank's check of a card holder (3-D Secure): the holder
// confirms or refuses, and goes back to the shop, which finishes the payment.

import { api, ApiError } from "./api.js";
import { $, say } from "./page.js";

const check = new URLSearchParams(location.search).get("check");
const message = $("bank-message");

async function answer(confirmed) {
  for (const button of document.querySelectorAll("button")) button.disabled = true;
  try {
    const { return_url } = await api(`/api/payments/simulated-bank/${encodeURIComponent(check ?? "")}`, {
      method: "POST",
      body: JSON.stringify({ confirmed }),
    });
    // Back to the shop's own page, on this site.
    const back = new URL(return_url, location.origin);
    location.assign(back.pathname + back.search);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    say(message, error.message, true);
    for (const button of document.querySelectorAll("button")) button.disabled = false;
  }
}

$("confirm").addEventListener("click", () => answer(true));
$("refuse").addEventListener("click", () => answer(false));
