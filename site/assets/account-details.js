// The account's details on the account page: name and country, email
// (changed once the new address follows its link) and password. Each form
// shows its answer beside its button; a refusal is focused so it is read out.

import { api, ApiError } from "./api.js";
import { $, formFields, sentence, tell } from "./page.js";
import { fillCountries } from "./countries.js";

/// Shows `text` in the message element `id`; a refusal takes the focus.
const tellIn = (id, text, isError = false) => tell($(id), text, isError);

/// Sends `form` as `method` to `path`; says the refusal beside it, or `done`'s words.
function handle(form, messageId, method, path, done) {
  form.onsubmit = async (event) => {
    event.preventDefault();
    tellIn(messageId, "");
    try {
      const answer = await api(path, { method, body: JSON.stringify(formFields(form)) });
      tellIn(messageId, done(answer));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const wait = error.status === 429 ? ` Try again in ${error.retryAfter ?? "a few"} seconds.` : "";
      tellIn(messageId, sentence(error.message) + wait, true);
    }
  };
}

/// Fills the forms from `customer` and sends them when asked.
export function showAccountDetails(customer) {
  const details = $("details-form");
  details.elements.name.value = customer.name;
  fillCountries(details.elements.country, customer.country);
  handle(details, "details-message", "PUT", "/api/account/details", (changed) => {
    $("customer-name").textContent = changed.name;
    return "Saved.";
  });
  handle($("email-form"), "email-message", "PUT", "/api/account/email", (answer) => {
    $("email-form").reset();
    return answer.message;
  });
  handle($("password-form"), "password-message", "PUT", "/api/account/password", () => {
    $("password-form").reset();
    return "Password changed. You stay logged in here; every other device was logged out.";
  });
}

/// Follows an email-change link (`#confirm-email=<token>`, taken out of the
/// address at once); false when the page was not opened from one.
export function followEmailConfirmation(showCustomer) {
  const token = new URLSearchParams(location.hash.slice(1)).get("confirm-email");
  if (!token) return false;
  history.replaceState(null, "", location.pathname + location.search);
  const confirmed = api("/api/account/email/confirm", { method: "POST", body: JSON.stringify({ token }) });
  const settled = confirmed.then((c) => [`Your email is now ${c.email}.`, false], (e) => [sentence(e.message), true]);
  const session = settled.then(() => api("/api/session")).catch(() => ({ customer: null }));
  Promise.all([settled, session]).then(([[text, isError], session]) => {
    showCustomer(session.customer);
    if (!session.customer) $("tab-login").click();
    tellIn(session.customer ? "details-message" : "account-message", text, isError);
  });
  return true;
}
