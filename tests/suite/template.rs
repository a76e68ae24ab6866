//! `infra/template.yaml` and the code agree: the schedules are the task
//! registry's, every API route is routed to a function, and the job queue
//! outwaits the worker.

use std::collections::BTreeSet;

use hostfront::scheduler::Task;

fn template() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../infra/template.yaml"
    ))
    .unwrap()
}

/// (task, schedule expression) of every scheduled event in the template.
fn scheduled(template: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut expression = None;
    for line in template.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("ScheduleExpression:") {
            expression = Some(rest.trim().to_string());
        }
        if let Some(rest) = line.strip_prefix("Input:") {
            let input: serde_json::Value =
                serde_json::from_str(rest.trim().trim_matches('\'')).unwrap();
            let task = input["task"].as_str().unwrap().to_string();
            found.insert((
                task,
                expression.take().expect("an expression before its input"),
            ));
        }
    }
    found
}

#[test]
fn the_template_schedules_exactly_the_registered_tasks() {
    let registry: BTreeSet<(String, String)> = Task::ALL
        .iter()
        .map(|t| (t.name().to_string(), t.schedule_expression()))
        .collect();
    assert_eq!(scheduled(&template()), registry);
}

#[test]
fn every_documented_route_reaches_a_function() {
    let template = template();
    let document = hostfront::http::openapi(true);
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let route = format!("Path: {path}, Method: {}", method.to_uppercase());
            let quoted = format!("Path: \"{path}\", Method: {}", method.to_uppercase());
            assert!(
                template.contains(&route) || template.contains(&quoted),
                "{} {path} has no HttpApi event in the template",
                method.to_uppercase()
            );
        }
    }
}

/// The number after `key:` in the `resource` block of the template.
fn number_in(template: &str, resource: &str, key: &str) -> u64 {
    let block = template
        .split(&format!("\n  {resource}:\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {resource} in the template"));
    // The block runs until the next resource, two spaces in.
    block
        .lines()
        .take_while(|line| line.is_empty() || line.starts_with("   "))
        .map(str::trim)
        .find_map(|line| line.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key} in {resource}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn the_job_queue_outwaits_six_worker_timeouts() {
    let template = template();
    let visibility = number_in(&template, "JobQueue", "VisibilityTimeout");
    let timeout = number_in(&template, "WorkerFunction", "Timeout");
    assert!(
        visibility >= 6 * timeout,
        "visibility {visibility} s, worker timeout {timeout} s"
    );
    // Every lease a job takes must lapse before its message comes back.
    assert!(hostfront::jobs::JOB_VISIBILITY.as_secs() < visibility);
}
