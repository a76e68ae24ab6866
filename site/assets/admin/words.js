// What the console shows, in words: times in the staff member's own time
// zone with how long ago or how soon, events and schedules as words, and
// audit entries as sentences.

import { el } from "../page.js";
import { money } from "./amounts.js";

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
const AT = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const UNITS = [["year", 365 * 86400], ["month", 30 * 86400], ["week", 7 * 86400], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];

/// "in 3 days", "2 hours ago": the largest unit that fits.
export function relative(date, now = Date.now()) {
  const seconds = (date.getTime() - now) / 1000;
  const [unit, size] = UNITS.find(([, size]) => Math.abs(seconds) >= size) ?? ["second", 1];
  return RELATIVE.format(Math.round(seconds / size), unit);
}

/// A moment (RFC 3339) as a <time>: the date and time where the staff
/// member is, and how long ago; the exact UTC time on hover.
export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return el("time", { datetime: iso, title: `${iso} (UTC); shown in ${ZONE}` }, `${AT.format(date)} (${relative(date)})`);
}

/// A calendar day (`YYYY-MM-DD`, UTC) as a <time>, with how far it is from today.
export function day(text) {
  if (!text) return "—";
  const date = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return text;
  const today = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z");
  const days = Math.round((date - today) / 86400000);
  return el("time", { datetime: text.slice(0, 10), title: "a day in UTC" }, `${DAY.format(date)} (${RELATIVE.format(days, "day")})`);
}

/// The text of `when` or `day`, for a sentence.
export const text = (node) => (typeof node === "string" ? node : node.textContent);

/// A task's schedule: `rate(10 minutes)` → "every 10 minutes", `cron(0 3 * * ? *)` → "daily at 03:00 UTC".
export function schedule(expression) {
  const rate = /^rate\((\d+) (\w+)\)$/.exec(expression);
  if (rate) return rate[1] === "1" ? `every ${rate[2].replace(/s$/, "")}` : `every ${rate[1]} ${rate[2]}`;
  const cron = /^cron\((\d+) (\d+) \* \* \? \*\)$/.exec(expression);
  if (cron) return `daily at ${cron[2].padStart(2, "0")}:${cron[1].padStart(2, "0")} UTC`;
  return expression;
}

/// What an audit action did, as a phrase in which `{}` stands for what it was done to.
const EVENTS = {
  auto_renew_off: "turned auto-renew off for {}", auto_renew_on: "turned auto-renew on for {}",
  paid: "paid for {}", paid_held_for_review: "paid for {}, which was held for review", went_live: "put {} live",
  approved: "approved {}", rejected: "rejected {}", resumed: "resumed {}", held: "put {} on hold", retried: "retried {}",
  suspended: "suspended {}", unsuspended: "lifted the suspension of {}", cancelled: "cancelled {}", withdrawn: "withdrew {}",
  credit_granted: "granted credit to {}", refunded: "refunded {}", charged: "charged {}", declined: "saw the card declined for {}",
  card_declined: "saw a card declined for {}", card_not_saved: "could not save a card for {}",
  authorised: "authorised the payment of {}", renewed: "renewed {}", expired: "saw {} expire", upgraded: "upgraded {}",
  failed: "saw {} fail", abandoned: "abandoned {}", deleted: "deleted {}", transfer_failed: "saw the transfer of {} fail",
  transferred_in: "transferred {} in", transferred_out: "saw {} transferred out",
  placed_by_staff: "placed {} for the customer", staff_changed: "changed {}", redriven: "sent {} back to the queue",
  logged_in: "logged in", details_changed: "changed the details of {}", email_changed: "changed the email of {}",
  email_change_requested: "asked to change the email of {}", password_changed: "changed the password of {}",
  password_reset: "reset the password of {}", account_erased: "erased {}", erasure_requested: "asked to erase {}",
  totp_enabled: "turned two-step login on for {}", totp_disabled: "turned two-step login off for {}",
  totp_requirement_changed: "changed whether two-step login is required of {}",
  dunning_ended: "ended the payment reminders of {}", mail_suppressed: "stopped mail to {}",
  payment_unreconciled: "could not match a payment to {}", migrated: "migrated {}",
  poc_ready: "marked the proof of concept of {} ready", proposal_sent: "sent the proposal for {}",
  proposal_accepted: "recorded the acceptance of the proposal for {}", reactivated: "reactivated {}", activated: "activated {}",
  qualified: "qualified {}", lost: "marked {} lost", reopened: "reopened {}", converted: "converted {}",
  site_made: "made a site from {}", linked: "linked {} to a record of ours", not_invoiced: "could not invoice {}",
  preview_made: "made the preview site of {}", preview_link_made: "made a preview link for {}",
  preview_link_renewed: "renewed the preview link of {}", preview_link_ended: "ended the preview link of {}",
  mail_template_saved: "saved {}", mail_template_reverted: "reverted {}",
};

/// An event in words, done to `what`: `auto_renew_off` → "turned auto-renew off for the domain example.com".
export function event(action, what = "") {
  const phrase = EVENTS[action] ?? `${action.replaceAll("_", " ")} {}`;
  return phrase.includes("{}") ? phrase.replace("{}", what).trim() : phrase;
}

/// Who acted: "Ana (support)", "Jo Smith (the customer)", "Hostfront (provisioning)".
export function actor(entry) {
  const { kind, id } = entry.actor;
  if (kind === "staff") return `${entry.actor_name ?? `staff member ${id}`}${entry.role ? ` (${entry.role})` : ""}`;
  if (kind === "customer") return `${entry.actor_name ?? `customer ${id}`} (the customer)`;
  return `Hostfront (${id.replaceAll("-", " ")})`;
}

/// What an entry is about: its name when the answer has it, else its kind and id.
function subject(entry) {
  const [kind, ...rest] = entry.subject.split(":");
  const id = rest.join(":");
  if (entry.subject_name) return `the ${kind.replaceAll("_", " ")} ${entry.subject_name}`;
  if (["credit", "customer"].includes(kind)) return entry.customer_name ? "the account" : `the account ${id}`;
  if (kind === "queue") return "the failed jobs";
  return `the ${kind} ${id}`;
}

/// Actions whose before and after start with an amount in minor units.
const AMOUNTS = new Set(["credit_granted", "refunded"]);

/// A before or after of `entry` in words: amounts as money of `currency`, yes and no for true and false.
function state(value, entry, currency) {
  if (value === null || value === undefined) return "nothing";
  if (AMOUNTS.has(entry.action)) return value.replace(/^-?\d+/, (minor) => money(Number(minor), currency));
  return { true: "yes", false: "no" }[value] ?? value.replaceAll("_", " ");
}

/// An audit entry as a sentence: "Ana (support) suspended the service Web
/// Starter · example.com of Jo Smith: active → suspended, because abuse."
/// Amounts in it are of `currency`, the shop's.
export function sentenceOf(entry, currency) {
  const whose = entry.customer_name && entry.actor.kind !== "customer" ? ` of ${entry.customer_name}` : "";
  const change = entry.from || entry.to ? `: ${state(entry.from, entry, currency)} → ${state(entry.to, entry, currency)}` : "";
  const why = entry.why ? `, because ${entry.why.replace(/\.$/, "")}` : "";
  return `${actor(entry)} ${event(entry.action, `${subject(entry)}${whose}`)}${change}${why}.`;
}
