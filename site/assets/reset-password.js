// "Forgot your password?": asks for a mailed link, then, opened from the
// link (`#token=<token>`, kept out of server logs and taken out of the
// address at once), sets the new password.

import { api, ApiError } from "./api.js";
import { $, formFields, say, sentence } from "./page.js";
import { offerGenerator } from "./password.js";

/// Shows `text` in the message element `id`; a refusal takes the focus.
function tell(id, text, isError = false) {
  const node = $(id);
  say(node, text, isError);
  if (isError) node.focus();
}

function refused(id, error) {
  if (!(error instanceof ApiError)) throw error;
  const wait = error.status === 429 ? ` Try again in ${error.retryAfter ?? "a few"} seconds.` : "";
  tell(id, sentence(error.message) + wait, true);
}

const token = new URLSearchParams(location.hash.slice(1)).get("token");
if (token) history.replaceState(null, "", location.pathname);
$("forgot-form").hidden = Boolean(token);
$("reset-form").hidden = !token;
offerGenerator($("generate"), $("reset-form").elements.password, $("generated"));

$("forgot-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  tell("forgot-message", "");
  try {
    const answer = await api("/api/password-reset", { method: "POST", body: JSON.stringify(formFields(event.target)) });
    tell("forgot-message", answer.message);
  } catch (error) {
    refused("forgot-message", error);
  }
});

$("reset-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  tell("reset-message", "");
  try {
    await api("/api/password-reset/confirm", { method: "POST", body: JSON.stringify({ token, ...formFields(event.target) }) });
    $("reset-form").hidden = true;
    $("reset-done").hidden = false;
  } catch (error) {
    refused("reset-message", error);
  }
});
