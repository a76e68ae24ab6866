// The console's daily tasks: each one's last run and its day's progress,
// with the items that need people, and running a task now.

import { $, details, el, words } from "../page.js";
import { attempt, call } from "./console.js";

function taskRecord(task) {
  const day = task.day;
  const counts = day ? Object.entries(day.counts).map(([name, n]) => `${n} ${words(name)}`).join(", ") : null;
  const record = el("article", { class: "record", "data-task": task.task },
    el("h3", {}, `${task.task} · ${task.schedule}`),
    details([
      ["Last run", task.last_ran_at ? `${task.last_ran_at}${task.last_failed ? " (failed)" : ""}` : "not yet"],
      ["Outcome", task.last_outcome],
      ["Day", day ? `${day.day}: ${day.batches_done} of ${day.batches} batches done, ${day.items} items${day.fanned_out_at ? "" : " (still queuing)"}` : null],
      ["Counts", counts],
    ].filter(([term, value]) => value !== null || !["Day", "Counts"].includes(term)), "—"));
  if (day && day.exceptions.length) {
    record.append(el("p", {}, `${day.exceptions.length} need people:`),
      el("ul", { class: "exceptions" }, ...day.exceptions.map((x) => el("li", {}, `${x.item}: ${x.what}`))));
  }
  return record;
}

export async function showTasks() {
  const tasks = await call("/api/admin/tasks");
  $("task-names").replaceChildren(...tasks.map((task) => el("option", {}, task.task)));
  $("task-list").replaceChildren(...tasks.map(taskRecord));
}

export function setUpTasks() {
  $("task-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const task = new FormData(event.target).get("task");
    attempt(async () => {
      const run = await call(`/api/admin/tasks/${encodeURIComponent(task)}/run`, { method: "POST" });
      $("task-outcome").textContent = `${run.task}: ${run.outcome}`;
      await showTasks();
    });
  });
}
