// The console's daily tasks: each one's schedule and last run in words,
// its day's progress with the items that need people, and running a task now.

import { $, capitalized, details, el, words } from "../page.js";
import { attempt, call } from "./console.js";
import { note } from "./feedback.js";
import { day, schedule, text, when } from "./words.js";

/// `registry-sync` → "Registry sync".
const taskName = (task) => capitalized(task.replaceAll("-", " "));

/// An outcome such as "2026-12-07T00:00:00Z: queued 3 batches of 20 items" with its time in words.
function outcome(said) {
  const stamped = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z): (.*)$/.exec(said ?? "");
  return stamped ? `${stamped[2]} (the run of ${text(when(stamped[1]))})` : said;
}

function taskRecord(task) {
  const d = task.day;
  const counts = d ? Object.entries(d.counts).map(([name, n]) => `${n} ${words(name)}`).join(", ") : null;
  const record = el("article", { class: "record", "data-task": task.task },
    el("h2", {}, taskName(task.task), " ", el("small", { class: "hint" }, schedule(task.schedule))),
    details([
      ["Last run", task.last_ran_at ? el("span", {}, when(task.last_ran_at), task.last_failed ? " (failed)" : "") : "not yet"],
      ["Outcome", outcome(task.last_outcome)],
      ...(d ? [
        ["Day", el("span", {}, day(d.day), `: ${d.batches_done} of ${d.batches} batches done, ${d.items} items${d.fanned_out_at ? "" : " (still queuing)"}`)],
        ["Counts", counts],
      ] : []),
    ], "—"));
  if (d && d.exceptions.length) {
    record.append(el("p", {}, `${d.exceptions.length} need people:`),
      el("ul", { class: "exceptions" }, ...d.exceptions.map((x) => el("li", {}, `${x.item}: ${x.what}`))));
  }
  return record;
}

export async function showTasks() {
  const tasks = await call("/api/admin/tasks");
  const chosen = $("task-names").value;
  $("task-names").replaceChildren(...tasks.map((task) => el("option", { value: task.task }, `${taskName(task.task)} (${task.task})`)));
  if (chosen) $("task-names").value = chosen;
  $("task-list").replaceChildren(...tasks.map(taskRecord));
}

export function setUpTasks() {
  $("task-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const task = new FormData(event.target).get("task");
    attempt(async () => {
      const run = await call(`/api/admin/tasks/${encodeURIComponent(task)}/run`, { method: "POST" });
      await showTasks();
      note("task-form", `${taskName(run.task)} ran: ${outcome(run.outcome)}.`);
    }, "task-form");
  });
}
