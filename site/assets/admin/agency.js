// What the console's agency pages share: the pipeline's words (a site's
// status, a service's kind and period), where its records are in the API,
// and a move that asks why first.

import { ApiError } from "../api.js";
import { el, words } from "../page.js";
import { money } from "./amounts.js";
import { fail } from "./console.js";
import { ask, note } from "./feedback.js";

export const sitePath = (id) => `/api/admin/sites/${encodeURIComponent(id)}`;
export const servicePath = (service) => `${sitePath(service.site_id)}/services/${encodeURIComponent(service.id)}`;

const SITE_STATUS = { poc_ready: "proof of concept ready" };
const KINDS = { ssl: "SSL certificate", website_maintenance: "website maintenance" };
const PER = { monthly: "a month", annual: "a year", one_time: "once" };

/// A site's status in words: `poc_ready` → "proof of concept ready".
export const siteStatus = (status) => SITE_STATUS[status] ?? words(status);

/// A service's kind in words: `website_maintenance` → "website maintenance".
export const kindOf = (type) => KINDS[type] ?? words(type);

/// What a service costs in major units, and how often: "€49.00 a month".
export const priceOf = (service) => `${money(service.price, service.currency)} ${PER[service.period]}`;

/// A button for a move of a record: clicked, it becomes a form asking why
/// (and whatever else the move needs, `fields`), then, when `asks` says
/// what to confirm, asks it, and `send`s the move with what was typed.
/// A move refused as made from an older reading draws the record again.
export function moveButton({ label, key, fields = [], asks = null, send, redraw }) {
  const button = el("button", { type: "button", class: "secondary" }, label);
  button.addEventListener("click", () => {
    const why = el("input", { name: "why", required: "", maxlength: "500" });
    const form = el("form", { class: "card-form", "data-move": label },
      ...fields.map(({ label: name, input }) => el("label", {}, name, input)),
      el("label", {}, `Why (${label.toLowerCase()})`, why),
      el("button", { type: "submit" }, label));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (asks && !(await ask(asks()))) return;
      try {
        const done = await send(why.value);
        await redraw();
        note(key, done);
      } catch (error) {
        if (error instanceof ApiError && error.code === "moved_on") await redraw();
        fail(error, key);
      }
    });
    button.replaceWith(form);
    (fields[0]?.input ?? why).focus();
  });
  return button;
}
