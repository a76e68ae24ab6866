// Mail templates (admins only): the letters customers get, `#/mail`, and
// one letter's editor, `#/mail/<kind>`: subject and body with the fields
// to insert beside them, a live preview (the text, and the HTML part in a
// sandboxed frame that runs nothing), a test mail to oneself, and the
// versions with a way back to any of them or to the built-in letter.

import { ApiError } from "../api.js";
import { $, capitalized, el, say } from "../page.js";
import { attempt, call, fail } from "./console.js";
import { ask, note, noteSlot } from "./feedback.js";
import { address, titled } from "./router.js";
import { when } from "./words.js";

const path = (kind, rest = "") => `/api/admin/mail-templates/${encodeURIComponent(kind)}${rest}`;

/// The letter shown in the editor, as the API gave it.
let shown = null;

function letterRow(letter) {
  const inUse = letter.overridden ? `Your template, version ${letter.current.version}` : "The built-in letter";
  return el("tr", { "data-letter": letter.kind },
    el("td", {}, el("a", { href: address("mail", letter.kind) }, letter.title)),
    el("td", { "data-label": "Fields" }, letter.fields.map((f) => f.name).join(", ")),
    el("td", { "data-label": "In use" }, inUse));
}

export async function showLetters() {
  const letters = await call("/api/admin/mail-templates");
  $("letter-table").querySelector("tbody").replaceChildren(...letters.map(letterRow));
}

/// Puts `{{name}}` where the cursor is in the body, and previews.
function insertField(name) {
  const body = $("letter-body");
  const placeholder = `{{${name}}}`;
  const at = body.selectionStart ?? body.value.length;
  body.setRangeText(placeholder, at, body.selectionEnd ?? at, "end");
  body.focus();
  schedulePreview();
}

function fieldItem(field) {
  const insert = el("button", { type: "button", class: "secondary", "aria-label": `Insert ${field.name}` }, `{{${field.name}}}`);
  insert.addEventListener("click", () => insertField(field.name));
  const marks = [field.required ? "the body must show it" : null, field.block ? "several lines: not for the subject" : null].filter(Boolean);
  return el("li", {}, insert, " ", field.description, marks.length ? el("small", { class: "hint" }, ` (${marks.join("; ")})`) : null,
    el("span", { class: "hint example" }, `Example: ${field.example}`));
}

function versionRow(letter, version) {
  const current = letter.current?.version === version.version;
  const what = version.draft ? version.draft.subject : "The built-in letter";
  const cells = [el("td", {}, `${version.version}${current ? " (in use)" : ""}`), el("td", { "data-label": "Made" }, when(version.at), ` by ${version.by_name}`),
    el("td", { "data-label": "What" }, version.note, el("br"), el("small", { class: "hint" }, what))];
  const back = el("button", { type: "button", class: "secondary" }, `Go back to version ${version.version}`);
  back.hidden = current;
  back.addEventListener("click", () => revert(version.version));
  return el("tr", { "data-version": version.version }, ...cells, el("td", {}, back));
}

/// Makes version `number` (null: the built-in letter) current again, once the admin confirms.
async function revert(number) {
  const target = number === null ? "the built-in letter" : `version ${number}`;
  const sure = await ask({
    title: `Go back to ${target}?`,
    text: `Mails of “${shown.title}” use ${target} from now on. The versions stay, so you can come back to this one.`,
    go: `Use ${target}`,
  });
  if (!sure) return;
  await attempt(async () => {
    const made = await call(path(shown.kind, "/revert"), { method: "POST", body: JSON.stringify({ version: number, based_on: shown.current?.version ?? 0 }) });
    await showLetter(shown.kind);
    note("letter-versions", `Version ${made.version} is in use: ${made.note}.`);
  }, "letter-versions");
}

export async function showLetter(kind) {
  const letter = await call(path(kind));
  shown = letter;
  titled("mail-letter", `Mail template: ${letter.title}`);
  $("letter-in-use").textContent = letter.overridden
    ? `Mails use your template, version ${letter.current.version}.`
    : "Mails use the built-in letter. The draft below says what it says; save it to change it.";
  $("letter-fields").querySelector("ul").replaceChildren(...letter.fields.map(fieldItem));
  const form = $("letter-form");
  form.elements.subject.value = letter.draft.subject;
  form.elements.body.value = letter.draft.body;
  $("version-table").querySelector("tbody").replaceChildren(...(letter.versions.length
    ? letter.versions.map((v) => versionRow(letter, v))
    : [el("tr", {}, el("td", { colspan: "4" }, "No version saved yet: mails use the built-in letter."))]));
  $("revert-built-in").hidden = !letter.overridden;
  await preview();
}

const draft = () => ({ subject: $("letter-subject").value, body: $("letter-body").value });

/// Shows the draft as a mail with the fields' examples, or what is wrong with it.
async function preview() {
  const slot = document.querySelector('[data-note="letter-preview"]');
  try {
    const mail = await call(path(shown.kind, "/preview"), { method: "POST", body: JSON.stringify(draft()) });
    $("preview-subject").textContent = mail.subject;
    $("preview-text").textContent = mail.text;
    $("preview-html").srcdoc = mail.html;
    slot.textContent = "";
    slot.classList.remove("error");
  } catch (error) {
    // While the admin types, what is wrong is said without taking the focus.
    if (!(error instanceof ApiError) || error.status === 401) return fail(error, "letter-preview");
    say(slot, capitalized(error.message), true);
  }
}

let pending = null;
function schedulePreview() {
  clearTimeout(pending);
  pending = setTimeout(preview, 400);
}

export function setUpMail() {
  const form = $("letter-form");
  form.append(noteSlot("letter-form"));
  form.addEventListener("input", schedulePreview);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      const saved = await call(path(shown.kind), { method: "PUT", body: JSON.stringify({ ...draft(), based_on: shown.current?.version ?? 0 }) });
      await showLetter(shown.kind);
      note("letter-form", `Saved as version ${saved.version}: mails of “${shown.title}” use it from now on.`);
    }, "letter-form");
  });
  $("letter-test").addEventListener("click", () => attempt(async () => {
    const sent = await call(path(shown.kind, "/test"), { method: "POST", body: JSON.stringify(draft()) });
    note("letter-form", `A test mail, “${sent.subject}”, went to ${sent.to}.`);
  }, "letter-form"));
  $("revert-built-in").addEventListener("click", () => revert(null));
  $("letter-preview-area").querySelector("h2").after(noteSlot("letter-preview"));
  $("letter-versions-area").append(noteSlot("letter-versions"));
}
