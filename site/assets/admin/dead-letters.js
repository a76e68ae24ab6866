// The console's dead letters: jobs that failed every try, retried one by
// one or sent back to the queue all at once.

import { $, details, el, words } from "../page.js";
import { attempt, call, say } from "./console.js";

function jobRecord(job) {
  const retry = el("button", { type: "button", class: "secondary" }, "Retry");
  retry.addEventListener("click", () => attempt(async () => {
    await call(`/api/admin/dead-letters/${encodeURIComponent(job.id)}/retry`, { method: "POST" });
    await showDeadLetters();
    say(`The ${words(job.kind)} job of ${job.subject ?? "?"} runs again; should it fail again, it comes back here with its new error.`);
  }));
  return el("article", { class: "record", "data-job": job.id },
    el("h3", {}, `${words(job.kind)} · ${job.subject ?? "?"}`),
    details([["Step", job.failed_step], ["Last error", job.last_error], ["Customer", job.customer_id]], "—"),
    el("p", { class: "actions" }, retry));
}

export async function showDeadLetters() {
  const jobs = await call("/api/admin/dead-letters");
  $("dead-list").replaceChildren(...(jobs.length ? jobs.map(jobRecord) : [el("p", {}, "No failed jobs.")]));
}

export function setUpDeadLetters() {
  $("redrive").addEventListener("click", () => attempt(async () => {
    const { moved } = await call("/api/admin/dead-letters/redrive", { method: "POST" });
    await showDeadLetters();
    say(`${moved} failed ${moved === 1 ? "job is" : "jobs are"} back in the queue.`);
  }));
}
