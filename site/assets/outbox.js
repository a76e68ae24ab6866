// The local outbox: each mail's header and text body; the HTML body in a sandboxed frame.

import { api } from "./api.js";
import { $, el, say } from "./page.js";

const list = $("mails");

function mailCard(mail) {
  const frame = el("iframe", { sandbox: "", title: `HTML of ${mail.subject}`, class: "mail-html" });
  frame.srcdoc = mail.html;
  return el("article", { class: "mail", "data-kind": mail.kind },
    el("h3", {}, mail.subject),
    el("p", { class: "hint" }, `To ${mail.to} · ${mail.created_at}`),
    el("pre", {}, mail.text),
    el("details", {}, el("summary", {}, "HTML version"), frame));
}

api("/api/outbox").then(
  (mails) => list.replaceChildren(...(mails.length ? mails.map(mailCard) : ["No mail yet."])),
  (error) => say(list, error.message, true),
);
