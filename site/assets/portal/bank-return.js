// Coming back to the portal from the card's bank (3-D Secure): the bank's
// page sends the holder back with `?<what>=<key>`, and the payment it
// checked is finished then, once; how it went is shown beside its record.

import { api, ApiError } from "../api.js";
import { capitalized } from "../page.js";

/// Back from the bank with `?<param>=<key>`: asks the server to finish
/// that payment (`POST path(key)`) and leaves the address at `hash`.
/// Returns `{ key, answer }` when it is done, `{ key, text, failed }` when
/// it is not, or null when not back from a bank.
export async function confirmedOnReturn(param, path, hash) {
  const key = new URLSearchParams(location.search).get(param);
  if (!key) return null;
  history.replaceState(null, "", `${location.pathname}${hash}`);
  try {
    const answer = await api(path(key), { method: "POST", body: "{}" });
    if (answer.payment_action_url) return { key, text: "Your bank has not confirmed the payment yet; nothing was charged.", failed: true };
    return { key, answer, failed: false };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { key, text: capitalized(error.message), failed: true };
  }
}
