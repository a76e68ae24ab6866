// A client site's pitch on its page: its preview site on the panel, the
// public link to the preview (made, copied, renewed, ended), the proposal
// editor (priced lines sent with the mail) and what the prospect did.

import { api } from "../api.js";
import { el } from "../page.js";
import { amountField, money, parseAmount } from "./amounts.js";
import { attempt, call, orderLink } from "./console.js";
import { ask, note, noteSlot } from "./feedback.js";
import { kindOf, sitePath } from "./agency.js";
import { when } from "./words.js";

const BEFORE_ACCEPTANCE = ["draft", "poc_ready", "proposal_sent"];
const PER = { monthly: "a month", annual: "a year", one_time: "once" };
const option = (value, text) => el("option", { value }, text);

const post = (site, path, body, method = "POST") =>
  call(`${sitePath(site.id)}${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });

/// A button that runs `work` and says what it did beside the pitch.
function action(label, key, work, redraw) {
  const button = el("button", { type: "button", class: "secondary" }, label);
  button.addEventListener("click", () => attempt(async () => {
    button.disabled = true;
    const said = await work();
    if (said === null) return void (button.disabled = false);
    await redraw();
    note(key, said);
  }, key).finally(() => { button.disabled = false; }));
  return button;
}

/// The link just made, to copy: shown once, as the API gives it once.
function madeLink(url) {
  const field = el("input", { readonly: "", value: url, "aria-label": "The preview link", "data-preview-link": "" });
  const copy = el("button", { type: "button", class: "secondary" }, "Copy");
  copy.addEventListener("click", async () => {
    field.select();
    await navigator.clipboard?.writeText(url).catch(() => {});
    copy.textContent = "Copied";
  });
  return el("div", { class: "with-button" }, field, copy);
}

function preview(site, key, redraw) {
  const open = BEFORE_ACCEPTANCE.includes(site.status);
  if (!site.preview_host) {
    return open ? [action("Make the preview site", key, async () => {
      const made = await post(site, "/preview");
      return `The preview site is made: ${made.preview_host}.`;
    }, redraw)] : [];
  }
  const link = site.pitch?.preview_link;
  const shown = el("div", {});
  const makeLink = action(link ? "Make a new preview link" : "Make the preview link", key, async () => {
    const made = await post(site, "/preview-link", { v: site.v });
    await redraw();
    document.querySelector("[data-made-link]")?.replaceChildren(madeLink(made.url));
    return null;
  }, redraw);
  const change = (label, body, said) => action(label, key, async () => {
    if (body.change === "end" && !(await ask({ title: "End the preview link?", text: "Whoever has the link sees that the preview has ended. A new link can be made.", go: "End the link", keep: "Keep it" }))) return null;
    await post(site, "/preview-link", { ...body, v: site.v }, "PATCH");
    return said;
  }, redraw);
  return [
    el("p", {}, "Preview site: ", el("a", { href: `https://${site.preview_host}/`, rel: "noopener" }, site.preview_host),
      ` (panel account ${site.panel_account}).`),
    ...(open ? [el("p", {}, ...(link ? ["The preview link works until ", when(link.until), "."] : ["No preview link."])),
      el("p", { class: "actions" }, makeLink,
      ...(link ? [change("Renew the link", { change: "renew" }, "The preview link works for 30 more days."),
        change("End the link", { change: "end" }, "The preview link has ended.")] : []))] : []),
    el("div", { "data-made-link": "" }, shown),
  ];
}

/// One line of the proposal editor: its kind, then what that kind needs.
function lineEditor(catalog, remove) {
  const kind = el("select", { name: "kind", "aria-label": "Kind of line" },
    ...["plan", "domain", "email", "ssl", "website_maintenance"].map((k) => option(k, k === "plan" ? "Hosting plan" : kindOf(k))));
  const parts = el("div", { class: "with-button" });
  let read = () => ({});
  const draw = () => {
    if (kind.value === "plan") {
      const plan = el("select", { name: "plan_id", "aria-label": "Plan" }, ...catalog.plans.map((p) => option(p.id, p.name)));
      const cycle = el("select", { name: "cycle", "aria-label": "Billed" }, option("monthly", "monthly"), option("annual", "yearly"));
      parts.replaceChildren(plan, cycle);
      read = () => ({ plan_id: plan.value, cycle: cycle.value });
    } else if (kind.value === "domain") {
      const name = el("input", { name: "name", "aria-label": "Domain", placeholder: "example.com", autocomplete: "off", required: "" });
      const how = el("select", { name: "domain", "aria-label": "What becomes of it" },
        option("register", "register"), option("transfer", "transfer in"), option("held_elsewhere", "held elsewhere"));
      parts.replaceChildren(name, how);
      read = () => ({ name: name.value, domain: how.value });
    } else {
      const name = el("input", { name: "name", "aria-label": "What it is", placeholder: "5 mailboxes", maxlength: "120", autocomplete: "off", required: "" });
      const period = el("select", { name: "period", "aria-label": "Billed" }, option("monthly", "monthly"), option("annual", "yearly"), option("one_time", "once"));
      const price = amountField("Price", catalog.currency);
      parts.replaceChildren(name, period, price.field);
      read = () => {
        const { minor, error } = parseAmount(price.input.value, catalog.currency);
        if (error) throw new Error(error);
        return { name: name.value, period: period.value, price: minor, currency: catalog.currency };
      };
    }
  };
  kind.addEventListener("change", draw);
  draw();
  const drop = el("button", { type: "button", class: "secondary line-remove" }, "Remove this line");
  const row = el("fieldset", { class: "card-form", "data-proposal-line": "" }, el("legend", {}, "Line"), kind, parts, drop);
  drop.addEventListener("click", () => remove(row));
  return { row, read: () => ({ kind: kind.value, ...read() }) };
}

async function proposalEditor(site, key, redraw) {
  const catalog = await api("/api/catalog");
  const lines = [];
  const list = el("div", {});
  const add = () => {
    const line = lineEditor(catalog, (row) => { lines.splice(lines.findIndex((l) => l.row === row), 1); row.remove(); });
    lines.push(line);
    list.append(line.row);
  };
  add();
  const more = el("button", { type: "button", class: "secondary" }, "Add a line");
  more.addEventListener("click", add);
  const notes = el("textarea", { name: "notes", rows: "3", maxlength: "4000" });
  const form = el("form", { class: "card-form", "data-form": "Send proposal" },
    el("h3", {}, "Proposal"), list, el("p", { class: "actions" }, more),
    el("label", {}, "What it says for the prospect", notes),
    el("button", { type: "submit" }, "Send proposal"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      let body;
      try {
        body = { lines: lines.map((l) => l.read()), notes: notes.value, v: site.v };
      } catch (error) {
        return note(key, error.message, true);
      }
      await post(site, "/proposal", body);
      await redraw();
      note(key, `The proposal is sent to ${site.contact_email}, with its links.`);
    }, key);
  });
  return form;
}

/// What the prospect was sent and did with it.
function activity(site) {
  const p = site.pitch ?? {};
  if (!p.proposal) return [];
  const cur = p.proposal.currency;
  const rows = [
    ["Sent", when(p.proposal.sent_at)], ["Viewed", p.viewed_at ? when(p.viewed_at) : "not opened yet"],
    ["Accepted", p.accepted_at ? el("span", {}, when(p.accepted_at), p.accepted_via === "online" ? " (online)" : " (recorded by staff)") : "not yet"],
    ...(p.order_id ? [["Order", orderLink(p.order_id, p.order_id)]] : []),
  ];
  return [
    el("ul", { "data-proposal": "" }, ...p.proposal.lines.map((l) => el("li", {}, `${l.name}: ${money(l.price, cur)} ${PER[l.period]}`))),
    el("dl", { class: "details", "data-prospect": "" }, ...rows.flatMap(([t, v]) => [el("dt", {}, t), el("dd", {}, v)])),
  ];
}

/// The pitch section of `site`'s page.
export async function pitchSection(site, redraw) {
  const key = `pitch:${site.id}`;
  const editor = site.status === "poc_ready" ? [await proposalEditor(site, key, redraw)] : [];
  const parts = [...preview(site, key, redraw), ...activity(site), ...editor];
  if (!parts.length) return [];
  return [
    el("h2", {}, "Preview and proposal"),
    el("section", { class: "record", "data-pitch": site.id }, ...parts, noteSlot(key)),
  ];
}
