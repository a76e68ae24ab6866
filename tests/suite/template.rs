//! `infra/template.yaml` and the code agree: the schedules are the task
//! registry's, and every API route is routed to a function.

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
