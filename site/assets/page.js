// Small helpers every page shares to build what it shows and word it.

/// The element with this id.
export const $ = (id) => document.getElementById(id);

/// An element with attributes and children (strings become text, never HTML).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function money(amount, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount / 100);
}

/// Shows `text` in the message element `node`, as an error or not.
export function say(node, text, isError = false) {
  node.textContent = text;
  node.classList.toggle("error", isError);
}

/// `say` beside the action that caused it: an error takes the focus, so
/// that a phone scrolls to it and a screen reader reads it out.
export function tell(node, text, isError = false) {
  say(node, text, isError);
  if (!isError) return;
  node.tabIndex = -1;
  node.focus();
}

/// `say` for the message element with this id.
export function messenger(id) {
  return (text, isError = false) => say($(id), text, isError);
}

/// `text` with its first letter in capitals.
export function capitalized(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/// `text` as a sentence: a capital first, a full stop last unless it has one.
export function sentence(text) {
  return capitalized(text) + (/[.!?]$/.test(text) ? "" : ".");
}

/// A status such as `pending_review` in words.
export const words = (status) => status.replaceAll("_", " ");

/// A form's fields as an object of strings.
export function formFields(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/// The <dt>/<dd> pairs of `rows` ([term, value]); `missing` stands in for a value that is null.
export function detailRows(rows, missing = null) {
  return rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value ?? missing)]);
}

/// A list of `rows` as terms and their values.
export function details(rows, missing = null) {
  return el("dl", { class: "details" }, ...detailRows(rows, missing));
}
