// What the console says after an action, said beside the action: each
// record, form and list has its own message slot, kept when the view is
// drawn again, and the message takes the focus so that a phone scrolls to
// it and a screen reader reads it. And the question asked before anything
// that cannot simply be undone.

import { $, say } from "../page.js";

const notes = new Map();

const slotOf = (key) => document.querySelector(`[data-note="${CSS.escape(key)}"]`);

/// The message slot of `key` (a record, a form, a list), with what was last said there.
export function noteSlot(key) {
  const slot = document.createElement("p");
  for (const [name, value] of Object.entries({ class: "message note", role: "status", "aria-live": "polite", "data-note": key, tabindex: "-1" })) {
    slot.setAttribute(name, value);
  }
  const kept = notes.get(key);
  if (kept) say(slot, kept.text, kept.isError);
  return slot;
}

/// Says `text` in the slot of `key` and moves the focus to it; with no
/// such slot on the page, in the console's own message line.
export function note(key, text, isError = false) {
  notes.set(key, { text, isError });
  const slot = (key && slotOf(key)) || $("console-message");
  say(slot, text, isError);
  slot.tabIndex = -1;
  slot.focus();
}

/// Forgets what was said: another view is opened.
export function forgetNotes() {
  notes.clear();
  say($("console-message"), "");
}

/// Asks before an action that cannot simply be undone: `title` as a
/// question, `text` saying what will happen. True when staff go ahead.
export function ask({ title, text, go, keep = "Cancel" }) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-go").textContent = go;
  $("confirm-keep").textContent = keep;
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-keep").focus();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "go"), { once: true }));
}
