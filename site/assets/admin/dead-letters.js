// The console's dead letters: jobs that failed every try, retried one by
// one or sent back to the queue all at once.

import { $, capitalized, details, el, words } from "../page.js";
import { attempt, call, customerLink } from "./console.js";
import { refreshCounts } from "./dashboard.js";
import { note, noteSlot } from "./feedback.js";

/// What the job was for, by name when the answer has one, its subject's id after it.
const what = (job) => el("span", {}, `${capitalized(words(job.kind))}: ${job.subject_name ?? job.subject ?? "what it was for is unreadable"}`,
  ...(job.subject_name ? [" ", el("small", { class: "id" }, job.subject)] : []));

/// A job sent back to the queue stays in the list, marked so, until the list is read again.
function retried(job) {
  return el("article", { class: "record", "data-job": job.id, "data-retried": "" },
    el("h2", {}, what(job)), el("p", {}, "Sent back to the queue."), noteSlot(`job:${job.id}`));
}

function jobRecord(job) {
  const key = `job:${job.id}`;
  const retry = el("button", { type: "button", class: "secondary" }, "Retry");
  retry.addEventListener("click", () => attempt(async () => {
    await call(`/api/admin/dead-letters/${encodeURIComponent(job.id)}/retry`, { method: "POST" });
    document.querySelector(`[data-job="${CSS.escape(job.id)}"]`)?.replaceWith(retried(job));
    note(key, `The ${words(job.kind)} job runs again; should it fail again, it comes back here with its new error.`);
    await refreshCounts();
  }, key));
  return el("article", { class: "record", "data-job": job.id },
    el("h2", {}, what(job)),
    details([
      ["Step", job.failed_step ? words(job.failed_step) : null], ["Last error", job.last_error],
      ["Customer", job.customer_id ? customerLink(job.customer_id, job.customer_name) : null],
    ], "—"),
    el("p", { class: "actions" }, retry),
    noteSlot(key));
}

export async function showDeadLetters() {
  const jobs = await call("/api/admin/dead-letters");
  $("dead-list").replaceChildren(...(jobs.length ? jobs.map(jobRecord) : [el("p", {}, "No failed jobs.")]));
}

export function setUpDeadLetters() {
  $("redrive").addEventListener("click", () => attempt(async () => {
    const { moved } = await call("/api/admin/dead-letters/redrive", { method: "POST" });
    await showDeadLetters();
    note("redrive", `${moved} failed ${moved === 1 ? "job is" : "jobs are"} back in the queue.`);
    await refreshCounts();
  }, "redrive"));
}
