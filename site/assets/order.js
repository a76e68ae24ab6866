// Checkout and the order page. Without `?id=` it is the cart's checkout: a
// domain, a plan and the control-panel login, placed with an Idempotency-Key
// kept for this checkout, so a double click or a retry never orders twice.
// With `?id=` it shows one order: its invoice, the card form while payment is
// due, then each provisioning step as it completes, and finally the service.

import { api, ApiError } from "./api.js";
import { CardError, cardField } from "./card-field.js";
import { cartItems, cartPlan, keepWithAccount, registerPrice, removeFromCart } from "./cart.js";
import { fillCountries } from "./countries.js";
import { kindLogins, mailboxesOf, panelRows, zoneRows } from "./hosting.js";
import { $, el, money, say, sentence, tell, detailRows, formFields } from "./page.js";
import { offerGenerator } from "./password.js";
import { chosenRegistrarAccount, keepNewAccount, offerRegistrarAccounts, showNewAccount, showRegistrarAccount } from "./registrar-account.js";
import { chosenServer, offerServerChoice } from "./server-choice.js";
import { chosenZone, hasLogin, offerZoneChoice } from "./zone-choice.js";
import { taxLabel, taxTerms, withTax } from "./tax.js";

const orderId = new URLSearchParams(location.search).get("id");
const KEY = "hostfront.checkout-key";

// ---- checkout ----

function usernameFrom(domain) {
  const name = domain.split(".")[0].toLowerCase().replace(/[^a-z0-9]/g, "").replace(/^[0-9]+/, "").slice(0, 14);
  const long = name.length >= 3 ? name : `${name}web`;
  // The same rule as the server's: cPanel refuses names that begin with "test".
  return long.startsWith("test") ? `my${long}`.slice(0, 14) : long;
}

function chosenAction() {
  return document.querySelector('input[name="action"]:checked')?.value;
}

function showDomainFields() {
  const action = chosenAction();
  const typed = ["transfer", "external", "subdomain"].includes(action);
  $("name-field").hidden = !typed;
  $("auth-field").hidden = action !== "transfer";
  $("name-field").firstChild.textContent = action === "subdomain" ? "Subdomain name " : "Domain ";
  showRegistrarAccount(action);
}

function chosenDomain(form) {
  const action = chosenAction();
  if (action?.startsWith("register:")) return { action: "register", name: action.slice(9) };
  const domain = { action, name: form.elements.name.value.trim() };
  if (action === "transfer") domain.auth_code = form.elements.auth_code.value.trim();
  return domain;
}

async function checkUsername() {
  const input = $("username");
  const hint = $("username-hint");
  if (input.value.length < 3) return;
  try {
    const check = await api(`/api/usernames/check?name=${encodeURIComponent(input.value)}`);
    showSuggestions(check.available ? [] : check.suggestions, check.available ? `${check.name} is free.` : `${check.name} is taken.`);
  } catch (error) {
    say(hint, sentence(error.message), true);
  }
}

function showSuggestions(suggestions, text) {
  const hint = $("username-hint");
  const buttons = suggestions.map((name) => {
    const button = el("button", { type: "button", class: "link" }, name);
    button.addEventListener("click", () => { $("username").value = name; checkUsername(); });
    return button;
  });
  hint.classList.toggle("error", suggestions.length > 0);
  hint.replaceChildren(text, ...(buttons.length ? [" Free: ", ...buttons] : []));
}

async function showCheckout() {
  $("checkout").hidden = false;
  const form = $("order-form");
  const loggedIn = await api("/api/session").then((s) => Boolean(s.customer), () => false);
  $("login-first").hidden = loggedIn;
  // A visitor's button says what it does: logging in first, then back here.
  if (!loggedIn) {
    const button = $("place-order");
    button.textContent = "Log in to place your order";
    button.type = "button";
    button.addEventListener("click", () => location.assign($("login-link").href));
  }
  if (loggedIn) await keepWithAccount();
  const catalog = await api("/api/catalog");
  $("plan").replaceChildren(...catalog.plans.map((p) =>
    el("option", { value: p.id }, `${p.name} — ${money(p.prices.monthly, catalog.currency)}/month`)));
  // The plan and cycle chosen in the cart.
  const chosen = cartPlan();
  if (catalog.plans.some((p) => p.id === chosen.plan_id)) $("plan").value = chosen.plan_id;
  if (chosen.cycle === "annual") $("cycle").value = "annual";
  const cart = cartItems();
  $("cart-domains").replaceChildren(...cart.map((item, i) => el("label", { class: "choice" },
    el("input", { type: "radio", name: "action", value: `register:${item.domain}`, ...(i === 0 ? { checked: "" } : {}) }),
    ` Register ${item.unicode} — ${money(registerPrice(catalog, item.domain) ?? 0, catalog.currency)} first year`)));
  if (!cart.length) form.querySelector('input[value="subdomain"]').checked = true;
  for (const radio of form.querySelectorAll('input[name="action"]')) radio.addEventListener("change", showDomainFields);
  await offerRegistrarAccounts(catalog, loggedIn);
  showDomainFields();
  const first = cart[0]?.domain;
  if (first) $("username").value = usernameFrom(first);
  $("username").addEventListener("change", checkUsername);
  offerGenerator($("generate"), form.elements.password, $("generated"));
  await offerServerChoice(catalog);
  offerZoneChoice(catalog);
  form.addEventListener("submit", placeOrder);
  // The price with tax last: the form above is whole before it is asked for.
  showPlanPrice(catalog, loggedIn ? await taxTerms() : null);
}

/// The chosen plan's price for the chosen cycle, with its tax: the
/// customer's terms when logged in, else that tax is added per country.
function showPlanPrice(catalog, terms) {
  const show = () => {
    const plan = catalog.plans.find((p) => p.id === $("plan").value);
    const cycle = $("cycle").value;
    const price = plan?.prices[cycle];
    $("plan-price").textContent = price === undefined ? "" :
      `${plan.name}, ${cycle === "annual" ? "a year" : "a month"}: ${withTax(price, catalog.currency, terms, catalog.prices_include_tax)}.`;
  };
  $("plan").addEventListener("change", show);
  $("cycle").addEventListener("change", show);
  show();
}

async function placeOrder(event) {
  event.preventDefault();
  const form = event.target;
  const message = $("place-message");
  say(message, "");
  const key = sessionStorage.getItem(KEY) ?? crypto.randomUUID();
  sessionStorage.setItem(KEY, key);
  const domain = chosenDomain(form);
  const body = {
    plan_id: form.elements.plan_id.value,
    cycle: form.elements.cycle.value,
    domain,
    ...(hasLogin() ? { username: form.elements.username.value.trim(), password: form.elements.password.value } : {}),
    server: chosenServer(form),
    zone: chosenZone(form),
    registrar_account: chosenRegistrarAccount(form),
  };
  form.querySelector('button[type="submit"]').disabled = true;
  try {
    const order = await api("/api/orders", { method: "POST", body: JSON.stringify(body), headers: { "idempotency-key": key } });
    sessionStorage.removeItem(KEY);
    keepNewAccount(order);
    if (domain.action === "register") removeFromCart(domain.name);
    location.assign(`/order.html?id=${encodeURIComponent(order.id)}`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // A refused order was not placed: the next try is a new order.
    sessionStorage.removeItem(KEY);
    if (error.code === "username_taken") {
      showSuggestions(error.suggestions ?? [], sentence(error.message));
      $("username").focus();
    } else tell(message, sentence(error.message), true);
    form.querySelector('button[type="submit"]').disabled = false;
  }
}

// ---- one order ----

const STEP_MARK = { done: "✓", running: "…", failed: "!", pending: "·" };

function showInvoice(invoice) {
  $("invoice-number").textContent = `Invoice ${invoice.number} · ${invoice.status}`;
  const row = (label, amount, strong = false, sign = "") => el("tr", {}, el(strong ? "th" : "td", {}, label), el(strong ? "th" : "td", { class: "amount" }, `${sign}${money(amount, invoice.currency)}`));
  // Account credit is a payment: the total stays, and what is left to pay follows.
  const credit = invoice.credit ? [row("Total", invoice.total + invoice.credit), row("Account credit", invoice.credit, false, "−\u2060"), row("To pay", invoice.total, true)] : [row("Total", invoice.total, true)];
  $("invoice").querySelector("tbody").replaceChildren(
    ...invoice.lines.map((l) => row(l.description, l.amount)),
    row(taxLabel(invoice), invoice.tax),
    ...credit);
  const mention = invoice.taxation?.mention;
  $("invoice-tax-mention").hidden = !mention;
  $("invoice-tax-mention").textContent = mention ?? "";
}

function showSteps(steps) {
  $("steps").replaceChildren(...steps.map((step) => el("li", { class: `step ${step.status}`, "data-step": step.name },
    el("span", { class: "mark", "aria-hidden": "true" }, STEP_MARK[step.status] ?? "·"),
    el("span", { class: "title" }, step.title),
    step.detail ? el("small", {}, step.detail) : null)));
}

function showService(order) {
  const service = order.service;
  $("service").hidden = !service;
  if (!service) return;
  const account = service.account;
  const rows = order.zone ? zoneRows(order.zone, service.nameservers) : [
    ...panelRows(account),
    ["Username", account.username],
    ["Server", `${account.server} (${account.ipv4})`],
    ["Mail server", account.mail_host],
    ...(mailboxesOf(service).length ? [["Mailboxes", mailboxesOf(service).join(", ")]] : []),
    ...kindLogins(service),
    ["Nameservers", service.nameservers.join(", ")],
  ];
  $("service-details").replaceChildren(...detailRows(rows));
  $("dns-records").hidden = order.dns_records.length === 0;
  $("nameservers").textContent = service.nameservers.join(" and ");
  $("records").textContent = order.dns_records.map((r) => `${r.name}\t${r.type}\t${r.priority ? `${r.priority} ` : ""}${r.value}`).join("\n");
}

function showOrder(order) {
  $("order-domain").textContent = order.domain.unicode;
  say($("order-status"), order.status_message);
  $("order").dataset.status = order.status;
  const problem = order.payment_problem ? `${sentence(order.payment_problem.message)} Try another card.` : "";
  say($("order-message"), order.customer_message ?? problem, Boolean(order.customer_message || problem));
  showInvoice(order.invoice);
  const unpaid = order.status === "awaiting_payment";
  const proof = order.ownership;
  $("ownership").hidden = !unpaid || !proof || proof.verified;
  if (proof) {
    $("ownership-instructions").textContent = proof.instructions;
    $("ownership-name").textContent = proof.name;
    $("ownership-value").textContent = proof.value;
  }
  $("pay-form").hidden = !unpaid || (proof && !proof.verified);
  if (!$("pay-form").hidden) showPayment(order.invoice);
  $("cancel-actions").hidden = !unpaid;
  showSteps(order.steps);
  showService(order);
}

async function refresh() {
  const order = await api(`/api/orders/${encodeURIComponent(orderId)}`);
  showOrder(order);
  // Provisioning shows each step as it completes; an order held for review
  // shows staff's decision once they make it.
  if (order.status === "provisioning") setTimeout(refresh, 1000);
  if (order.status === "pending_review") setTimeout(refresh, 5000);
}

/// The provider's card field, mounted once the order is to be paid.
let card = null;

/// True when account credit pays all of the invoice: no card is asked for.
const byCredit = (invoice) => invoice.credit > 0 && invoice.total === 0;

/// The pay form: the card field, or, when account credit pays it all, only
/// the billing country and a button that confirms the order.
function showPayment(invoice) {
  const credit = byCredit(invoice);
  $("pay-title").textContent = credit ? "Paid by your account credit" : "Pay by card";
  $("credit-paid").hidden = !credit;
  for (const id of ["card-field", "card-hint", "save-card"]) $(id).hidden = credit;
  $("pay-button").textContent = credit ? "Confirm order" : "Pay";
  if (!credit) card ??= cardField($("card-field"), { amount: invoice.total, currency: invoice.currency });
}

async function pay(event) {
  event.preventDefault();
  const form = event.target;
  const fields = formFields(form);
  say($("pay-message"), "");
  form.querySelector("button").disabled = true;
  try {
    // No card at all when account credit pays the invoice.
    const body = card
      ? { payment_method: await (await card).paymentMethod(), billing_country: fields.billing_country, save_card: form.elements.save_card.checked }
      : { billing_country: fields.billing_country };
    const order = await api(`/api/orders/${encodeURIComponent(orderId)}/pay`, { method: "POST", body: JSON.stringify(body) });
    // The card's bank asks the customer to confirm: it sends them back here.
    if (order.payment_action_url) {
      say($("pay-message"), "Your bank asks you to confirm the payment; taking you there…");
      location.assign(order.payment_action_url);
      return;
    }
    showOrder(order);
    refresh();
  } catch (error) {
    if (!(error instanceof ApiError || error instanceof CardError)) throw error;
    tell($("pay-message"), sentence(error.message), true);
  } finally {
    form.querySelector("button").disabled = false;
  }
}

/// Calls `action` on the order (verify-domain, cancel) and shows the
/// answer; a refusal beside the button (`message`).
async function act(action, button, message) {
  button.disabled = true;
  say(message, "");
  try {
    showOrder(await api(`/api/orders/${encodeURIComponent(orderId)}/${action}`, { method: "POST", body: "{}" }));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    tell(message, sentence(error.message), true);
  } finally {
    button.disabled = false;
  }
}

async function showOneOrder() {
  $("order").hidden = false;
  const me = await api("/api/session").then((s) => s.customer, () => null);
  if (!me) {
    location.assign(`/account.html?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  showNewAccount(orderId);
  await fillCountries($("pay-form").elements.billing_country, me.country);
  $("pay-form").addEventListener("submit", pay);
  $("ownership-check").addEventListener("click", (event) => act("verify-domain", event.target, $("ownership-message")));
  $("cancel-order").addEventListener("click", (event) => {
    if (confirm("Cancel this order? Nothing has been charged.")) act("cancel", event.target, $("cancel-message"));
  });
  try {
    if (new URLSearchParams(location.search).has("confirmed")) await confirmPayment();
    await refresh();
  } catch (error) {
    say($("order-status"), sentence(error.message), true);
  }
}

/// Back from the bank's page: finishes the payment it confirmed (or not).
async function confirmPayment() {
  history.replaceState(null, "", `${location.pathname}?id=${encodeURIComponent(orderId)}`);
  try {
    const order = await api(`/api/orders/${encodeURIComponent(orderId)}/pay/confirm`, { method: "POST", body: "{}" });
    if (order.payment_action_url) say($("pay-message"), "Your bank has not confirmed the payment yet. Pay again to start over.");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // Shown once the pay form is, beside its button.
    setTimeout(() => tell($("pay-message"), sentence(error.message), true));
  }
}

if (orderId) showOneOrder(); else showCheckout();
