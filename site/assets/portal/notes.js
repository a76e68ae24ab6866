// Each domain's and each service's own messages, shown in its card: kept
// when the card is drawn again, so that one answer never overwrites
// another's; a refusal takes the focus. A redraw keeps the focus where the
// customer was: on the same button of the same card, or on its message.

import { el, tell } from "../page.js";

const notes = new Map();

const cardOf = (key) => document.querySelector(`[data-domain="${CSS.escape(key)}"], [data-service="${CSS.escape(key)}"]`);

/// The message slot of the record `key`, with what was last said of it.
export function noteSlot(key) {
  const slot = el("p", { class: "message record-note", role: "status", "aria-live": "polite", "data-note": key, tabindex: "-1" });
  const kept = notes.get(key);
  if (kept) tell(slot, kept.text, kept.isError);
  return slot;
}

/// Says `text` of the record `key`, in its card.
export function note(key, text, isError = false) {
  notes.set(key, { text, isError });
  const slot = cardOf(key)?.querySelector("[data-note]");
  if (slot) tell(slot, text, isError);
}

const CARDS = "[data-domain], [data-service]";

/// The button last pressed in a card: a button disabled while its request
/// runs loses the focus, which must come back to it.
let pressed = null;
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button");
  if (button?.closest(CARDS)) pressed = button;
}, true);

/// Runs `draw` (which draws the cards again), then puts the focus back
/// where the customer was: the same button of the same card (by its words,
/// else by its place: a toggle changes its words), or that card's message.
export async function keepingFocus(draw) {
  const active = document.activeElement?.closest(CARDS) ? document.activeElement : pressed;
  const card = active?.isConnected ? active.closest(CARDS) : null;
  const key = card?.dataset.domain ?? card?.dataset.service;
  const buttons = (within) => [...(within?.querySelectorAll("button") ?? [])];
  const label = active?.textContent;
  const place = buttons(card).indexOf(active);
  await draw();
  if (!key) return;
  const again = cardOf(key);
  const button = buttons(again).find((b) => b.textContent === label) ?? buttons(again)[place];
  (button ?? again?.querySelector("[data-note]"))?.focus();
}
