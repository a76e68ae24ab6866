// "Your data" on the account page: download everything held about the
// account as a JSON file, and erase the account after typing the words
// that confirm it. Each answer shows beside its button; a refusal takes
// the focus so it is read out.

import { api, ApiError } from "./api.js";
import { $, formFields, sentence, tell } from "./page.js";

/// A refusal in words, with when to come back if rate limited.
function refusal(error) {
  const wait = error.status === 429 ? ` Try again in ${error.retryAfter ?? "a few"} seconds.` : "";
  return sentence(error.message) + wait;
}

/// Fetches the export and hands it to the browser as the file the server names.
async function download() {
  const message = $("export-message");
  tell(message, "Preparing your file…");
  const response = await fetch("/api/account/export", { headers: { accept: "application/json" } });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const error = new ApiError(response.status, body?.error?.code, body?.error?.message ?? `The server answered ${response.status}.`,
      Number(response.headers.get("retry-after")) || null);
    tell(message, refusal(error), true);
    return;
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "hostfront-export.json";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  tell(message, `Downloaded ${name}.`);
}

/// Erases the account once the typed words match; then the page is logged out.
async function erase(event) {
  event.preventDefault();
  const form = event.target;
  const message = $("erasure-message");
  tell(message, "");
  try {
    const answer = await api("/api/account/erasure", { method: "POST", body: JSON.stringify(formFields(form)) });
    form.reset();
    $("signed-in").hidden = true;
    $("signed-out").hidden = false;
    tell($("account-message"), answer.message);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    tell(message, refusal(error), true);
  }
}

export function showYourData() {
  $("export-button").onclick = () => download().catch(() => tell($("export-message"), "The download failed; try again.", true));
  $("erasure-form").onsubmit = erase;
}
