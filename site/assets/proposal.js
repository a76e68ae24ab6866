// The prospect's proposal (`proposal.html#<token>`; the token, in the
// fragment, never reaches a server's log and is taken out of the address
// at once): its lines and totals, and Accept, which says what comes next.

import { api, ApiError } from "./api.js";
import { $, el, money, say, sentence } from "./page.js";

const token = location.hash.slice(1);
if (token) history.replaceState(null, "", location.pathname);
const path = `/api/proposals/${encodeURIComponent(token)}`;
const PER = { monthly: "a month", annual: "a year", one_time: "once" };

function closed(text) {
  $("proposal-heading").textContent = "This proposal is closed";
  say($("proposal-message"), text);
}

function line(item, currency) {
  const setup = item.setup ? `, plus ${money(item.setup, currency)} once to set up` : "";
  return el("tr", {}, el("td", {}, item.name), el("td", { class: "amount" }, `${money(item.price, currency)} ${PER[item.period]}${setup}`));
}

function total(totals, currency) {
  const parts = [[totals.one_time, "once"], [totals.monthly, "a month"], [totals.annual, "a year"]]
    .filter(([amount]) => amount > 0).map(([amount, per]) => `${money(amount, currency)} ${per}`);
  return parts.join(", ") || money(0, currency);
}

function showAccepted() {
  $("accept-form").hidden = true;
  $("proposal-preview").hidden = true;
  $("accepted").hidden = false;
}

function draw(proposal) {
  document.title = `Your proposal from ${proposal.company}`;
  $("proposal-heading").textContent = `Our proposal for ${proposal.business_name}`;
  $("proposal-intro").textContent = `Hello ${proposal.contact_name}, here is what ${proposal.company} proposes for your website.`;
  $("proposal-lines").replaceChildren(...proposal.lines.map((l) => line(l, proposal.currency)));
  $("proposal-total").textContent = total(proposal.totals, proposal.currency);
  $("proposal-tax").textContent = proposal.tax_note;
  $("proposal-notes").textContent = proposal.notes;
  if (proposal.preview_url) {
    $("proposal-preview-link").href = proposal.preview_url;
    $("proposal-preview").hidden = false;
  }
  $("auth-code-label").hidden = !proposal.needs_auth_code;
  $("auth-code-label").querySelector("input").required = proposal.needs_auth_code;
  say($("proposal-message"), "");
  $("proposal").hidden = false;
  if (proposal.accepted) showAccepted();
}

async function open() {
  if (!token) return closed("This link is not complete. Ask us for a new one.");
  try {
    draw(await api(path));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    closed(error.status === 429 ? `Too many tries: wait ${error.retryAfter ?? "a few"} seconds and reload.`
      : "The link has expired or the proposal is no longer open. Ask us for a new one.");
  }
}

$("accept-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.target.querySelector("button");
  const code = event.target.elements.auth_code.value.trim();
  button.disabled = true;
  try {
    const answer = await api(`${path}/accept`, { method: "POST", body: JSON.stringify(code ? { auth_code: code } : {}) });
    showAccepted();
    say($("proposal-message"), answer.next);
    $("proposal-message").focus();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    say($("accept-message"), sentence(error.message), true);
    $("accept-message").focus();
  } finally {
    button.disabled = false;
  }
});

open();
