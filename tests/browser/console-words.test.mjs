// What the console says in words: schedules, events, how long ago, and an
// audit entry as a sentence naming who did what to whose service.

import assert from "node:assert/strict";
import { test } from "node:test";
import { event, relative, schedule, sentenceOf } from "../../site/assets/admin/words.js";

test("schedules and events read as words", () => {
  assert.equal(schedule("rate(10 minutes)"), "every 10 minutes");
  assert.equal(schedule("rate(1 day)"), "every day");
  assert.equal(schedule("rate(1 hour)"), "every hour");
  assert.equal(schedule("cron(30 3 * * ? *)"), "daily at 03:30 UTC");
  assert.equal(event("auto_renew_off", "the domain example.com"), "turned auto-renew off for the domain example.com");
  assert.equal(event("went_live", "the order Web Starter · example.com"), "put the order Web Starter · example.com live");
  assert.equal(event("logged_in", "the staff member x"), "logged in");
  assert.equal(event("some_new_thing", "it"), "some new thing it", "an event not known yet still reads");
});

test("times are said relative to now", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  assert.equal(relative(new Date("2026-12-10T12:00:00Z"), now), "in 3 days");
  assert.equal(relative(new Date("2026-12-07T10:00:00Z"), now), "2 hours ago");
  assert.equal(relative(new Date("2026-12-06T12:00:00Z"), now), "yesterday");
});

test("an audit entry is a sentence with names, amounts as money", () => {
  const suspended = {
    actor: { kind: "staff", id: "01STAFF" }, actor_name: "Ana", role: "support", action: "suspended",
    subject: "service:01SERVICE", subject_name: "Web Starter · jo.example", customer_id: "01JO", customer_name: "Jo Smith",
    from: "active", to: "suspended", why: "abuse report 7.",
  };
  assert.equal(sentenceOf(suspended, "USD"),
    "Ana (support) suspended the service Web Starter · jo.example of Jo Smith: active → suspended, because abuse report 7.");
  const credit = { ...suspended, action: "credit_granted", subject: "credit:01JO", subject_name: undefined, from: "0", to: "500", why: "sorry" };
  assert.equal(sentenceOf(credit, "USD"), "Ana (support) granted credit to the account of Jo Smith: $0.00 → $5.00, because sorry.");
  const unnamed = { actor: { kind: "system", id: "lapsed-orders" }, action: "cancelled", subject: "order:01ORDER", from: "awaiting_payment", to: "cancelled", why: "" };
  assert.equal(sentenceOf(unnamed, "USD"), "Hostfront (lapsed orders) cancelled the order 01ORDER: awaiting payment → cancelled.");
  // The agency's sites and client services belong to no customer, and read by their own names.
  const site = { actor: { kind: "staff", id: "01STAFF" }, actor_name: "Ana", role: "support", action: "poc_ready",
    subject: "site:01SITE", subject_name: "Café Lumière", from: "draft", to: "poc_ready", why: "mock-up done" };
  assert.equal(sentenceOf(site, "USD"), "Ana (support) marked the proof of concept of the site Café Lumière ready: draft → poc ready, because mock-up done.");
  const upkeep = { ...site, action: "suspended", subject: "client_service:01CS", subject_name: "Monthly upkeep", from: "active", to: "suspended", why: "its site was suspended" };
  assert.equal(sentenceOf(upkeep, "USD"), "Ana (support) suspended the client service Monthly upkeep: active → suspended, because its site was suspended.");
});
