//! `infra/template.yaml` and the code agree: the schedules are the task
//! registry's, every API route is routed to the function that serves it, the
//! job queue outwaits the worker, and the policies keep each function to its
//! own records. (The runtime tests of `functions/lambda` check every call the
//! functions make against those policies.)

use std::collections::BTreeSet;

use hostfront::scheduler::Task;

/// The edge, the secrets and the rights each function holds.
mod least_privilege;

fn template() -> String {
    hostfront_tests::template::text()
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
            // The other invocations (the catalog's seeding) are no schedules.
            let Some(task) = input["task"].as_str().map(String::from) else {
                continue;
            };
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

/// The simulations' own pages: the payment provider's and the panel's.
fn simulations_routes() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    use hostfront::http::{simulated_gateway, simulated_panel};
    simulated_gateway::ROUTES
        .iter()
        .chain(simulated_panel::ROUTES.iter())
}

/// (function, method, path) of every route the code serves: each group's
/// routes are its function's, and the simulations' pages are the orders
/// function's.
fn served() -> BTreeSet<(String, String, String)> {
    let mut served: BTreeSet<_> = simulations_routes()
        .map(|(method, path)| ("api-orders".into(), method.to_string(), path.to_string()))
        .collect();
    for group in hostfront::http::RouteGroup::ALL {
        let function = format!("api-{}", format!("{group:?}").to_lowercase());
        let (_, document) = group.routes().split_for_parts();
        let document = serde_json::to_value(document).unwrap();
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                served.insert((function.clone(), method.to_uppercase(), path.clone()));
            }
        }
    }
    served
}

#[test]
fn the_template_routes_each_route_to_the_function_that_serves_it_and_nothing_else() {
    let routed: BTreeSet<(String, String, String)> = hostfront_tests::template::routes()
        .into_iter()
        .map(|r| (r.function, r.method, r.path))
        .collect();
    let served = served();
    let unrouted: Vec<_> = served.difference(&routed).collect();
    let unserved: Vec<_> = routed.difference(&served).collect();
    assert!(unrouted.is_empty(), "served but not routed: {unrouted:?}");
    assert!(
        unserved.is_empty(),
        "routed but not served there: {unserved:?}"
    );
    // And the served document is exactly the groups' routes, the simulated
    // provider's being no part of the API.
    let document = hostfront::http::openapi(true);
    let documented: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, served.len() - simulations_routes().count());
}

/// The number after `key:` in the `resource` block of the template.
pub(super) fn number_in(template: &str, resource: &str, key: &str) -> u64 {
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

#[test]
fn the_public_functions_cannot_reach_sessions_customers_or_staff() {
    let policies = hostfront_tests::template::policies();
    for function in ["api-system", "api-catalog", "api-domains"] {
        let statements = &policies[function];
        assert!(!statements.is_empty(), "{function} has a policy");
        for statement in statements {
            let keys = statement
                .leading_keys
                .as_ref()
                .unwrap_or_else(|| panic!("{function}'s {} names its keys", statement.sid));
            for key in keys {
                for secret in ["SESSION#", "CUSTOMER#", "EMAIL#", "SIGNUP#", "STAFF"] {
                    assert!(
                        !secret.starts_with(key.trim_end_matches('*')) && !key.starts_with(secret),
                        "{function} may reach {secret} through {key}"
                    );
                }
            }
        }
    }
}

#[test]
fn only_the_scheduler_scans_and_only_staff_and_scheduler_go_unrestricted() {
    for (function, statements) in hostfront_tests::template::policies() {
        for statement in statements {
            let scans = statement.actions.iter().any(|a| a == "dynamodb:Scan");
            assert!(!scans || function == "scheduler", "{function} may Scan");
            let on_table = statement.actions.iter().any(|a| a.starts_with("dynamodb:"));
            if on_table && statement.leading_keys.is_none() {
                assert!(
                    function == "api-admin"
                        || (function == "scheduler" && statement.sid == "Sweep"),
                    "{function}'s {} reaches every record",
                    statement.sid
                );
            }
        }
    }
}

#[test]
fn the_cdn_sends_the_same_security_headers_as_the_server() {
    let template = template();
    assert!(
        template.contains(&format!(
            "ContentSecurityPolicy: \"{}\"",
            hostfront::http::CONTENT_SECURITY_POLICY
        )),
        "CloudFront's content security policy is the server's"
    );
    assert!(
        template.contains(&format!(
            "ContentSecurityPolicy: \"{}\"",
            hostfront::http::FRAMED_POLICY
        )),
        "in a demonstration, the simulated provider's card page is framed by the site's pages only, as on the local server"
    );
    for needed in [
        "DisableExecuteApiEndpoint: true",
        "DeletionProtectionEnabled: true",
        "HeaderName: X-Hostfront-Origin",
        "HOSTFRONT_ORIGIN_SECRET: !Ref OriginSecret",
        "CloudFront-Viewer-Address",
        "OriginAccessControlId: !GetAtt SiteAccessControl.Id",
        "PathPattern: /api/*",
    ] {
        assert!(template.contains(needed), "the template has {needed}");
    }
}

#[test]
fn every_function_keeps_its_logs_for_a_while() {
    let template = template();
    for function in template
        .lines()
        .filter_map(|l| l.strip_suffix(":"))
        .map(str::trim)
        .filter(|name| name.len() > "Function".len() && name.ends_with("Function"))
    {
        assert!(
            template.contains(&format!(
                "LogGroupName: !Sub \"/aws/lambda/${{{function}}}\""
            )),
            "{function} has a log group with a retention"
        );
    }
}

/// The Lambda functions serve `docs/openapi.json` as it is. Run this test
/// with `HOSTFRONT_WRITE_OPENAPI=1` to write it after changing the API.
#[test]
fn the_committed_document_is_the_generated_one() {
    let generated = hostfront::http::openapi(true);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    if std::env::var_os("HOSTFRONT_WRITE_OPENAPI").is_some() {
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        std::fs::write(path, text).unwrap();
    }
    let committed: serde_json::Value = serde_json::from_str(hostfront::http::DOCUMENT).unwrap();
    assert!(
        committed == generated,
        "docs/openapi.json is not the API's document: run this test with HOSTFRONT_WRITE_OPENAPI=1"
    );
}

/// Every `{name}` in a route's path is described as a path parameter, as
/// OpenAPI requires (a handler whose extractor is not a plain string gets
/// none by itself).
#[test]
fn every_path_parameter_is_described() {
    let document = hostfront::http::openapi(true);
    let mut undescribed = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        let named: Vec<&str> = path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, operation) in operations.as_object().unwrap() {
            let described: Vec<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            for name in &named {
                if !described.contains(name) {
                    undescribed.push(format!("{method} {path}: {name}"));
                }
            }
        }
    }
    assert!(undescribed.is_empty(), "{undescribed:#?}");
}

/// No request of the API takes card data: no body has a card's number,
/// expiry or security code, and the document names no card number.
#[test]
fn the_document_takes_no_card_data() {
    let document = hostfront::http::openapi(true);
    let schemas = &document["components"]["schemas"];
    let mut bodies = Vec::new();
    for operations in document["paths"].as_object().unwrap().values() {
        for operation in operations.as_object().unwrap().values() {
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            if let Some(name) = body["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
                bodies.push((name.to_string(), schemas[name].clone()));
            }
        }
    }
    assert!(
        bodies.iter().any(|(name, _)| name == "PayRequest"),
        "{bodies:?}"
    );
    for (name, schema) in bodies {
        let text = schema.to_string();
        for field in [
            "\"card\"",
            "\"number\"",
            "\"cvc\"",
            "\"exp_month\"",
            "\"exp_year\"",
        ] {
            assert!(!text.contains(field), "{name} takes {field}: {text}");
        }
    }
    let text = document.to_string();
    for number in ["4242", "4000 0000", "cvc"] {
        assert!(!text.contains(number), "the document names {number}");
    }
}
