//! `infra/template.yaml` and the code agree: the schedules are the task
//! registry's, every API route is routed to the function that serves it, the
//! job queue outwaits the worker, and the policies keep each function to its
//! own records. (The runtime tests of `functions/lambda` check every call the
//! functions make against those policies.)

use std::collections::BTreeSet;

use hostfront::scheduler::Task;

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

/// (function, method, path) of every route the code serves: each group's
/// routes are its function's.
fn served() -> BTreeSet<(String, String, String)> {
    let mut served = BTreeSet::new();
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
    // And the served document is exactly the groups' routes.
    let document = hostfront::http::openapi(true);
    let documented: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, served.len());
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

#[test]
fn the_cdn_forwards_every_header_a_route_reads() {
    let template = template();
    let policy = template
        .split("\n  ApiRequestPolicy:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("the API's origin request policy");
    for header in [
        "Content-Type",
        "Idempotency-Key",
        "X-Hostfront-Console",
        "CloudFront-Viewer-Address",
        // Payment events are refused without their signature.
        "Stripe-Signature",
    ] {
        assert!(
            policy.lines().any(|l| l.trim() == format!("- {header}")),
            "CloudFront forwards {header}"
        );
    }
}

/// Whether the function `binary` links the adapter `with` (`with_payments`).
fn links(binary: &str, with: &str) -> bool {
    let path = format!(
        "{}/../functions/lambda/src/bin/{binary}.rs",
        env!("CARGO_MANIFEST_DIR")
    );
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    source.contains(&format!(".{with}()")) || source.contains("AwsAdapters::ALL")
}

#[test]
fn each_secret_reaches_only_the_functions_whose_adapter_uses_it() {
    let environment = hostfront_tests::template::environment();
    let functions: BTreeSet<String> = hostfront_tests::template::policies().into_keys().collect();
    let holding = |secret: &str| -> BTreeSet<String> {
        functions
            .iter()
            .filter(|f| {
                environment
                    .get(&Some(f.to_string()))
                    .is_some_and(|vars| vars.iter().any(|v| v == secret))
            })
            .cloned()
            .collect()
    };
    let linking = |with: &str| -> BTreeSet<String> {
        functions
            .iter()
            .filter(|f| links(f, with))
            .cloned()
            .collect()
    };
    let events = hostfront_tests::template::routes()
        .into_iter()
        .find(|r| r.path == "/api/payments/events")
        .expect("the payment events route")
        .function;
    // The domains function reads the panel's inventory in the table, and
    // calls no server; only the worker tears accounts down (and copies backups).
    let mut whm = linking("with_panel");
    whm.remove("api-domains");
    let expected = [
        ("HOSTFRONT_EPP_PASSWORD", linking("with_registrar")),
        ("HOSTFRONT_STRIPE_SECRET_KEY", linking("with_payments")),
        ("HOSTFRONT_STRIPE_WEBHOOK_SECRET", BTreeSet::from([events])),
        ("HOSTFRONT_WHM_TOKENS", whm),
        (
            "HOSTFRONT_WHM_BACKUP_PASSWORD",
            BTreeSet::from(["worker".to_string()]),
        ),
    ];
    let shared = environment.get(&None).cloned().unwrap_or_default();
    for (secret, functions) in expected {
        assert!(!shared.iter().any(|v| v == secret), "{secret} is global");
        assert_eq!(holding(secret), functions, "{secret}");
    }
    for public in ["api-system", "api-catalog", "api-accounts"] {
        assert!(
            !environment.contains_key(&Some(public.to_string())),
            "{public} holds a secret"
        );
    }
}

#[test]
fn the_template_runs_no_simulation_unless_asked() {
    let template = template();
    let demo = template
        .split("\n  Demo:\n")
        .nth(1)
        .expect("a Demo parameter");
    assert!(
        demo.lines()
            .take(4)
            .any(|l| l.trim() == "Default: \"false\""),
        "Demo is off by default"
    );
}

#[test]
fn only_the_functions_that_open_secrets_may_decrypt_and_each_names_its_secrets() {
    let mut opening = BTreeSet::new();
    for (function, statements) in hostfront_tests::template::policies() {
        for statement in statements {
            let kms: Vec<&String> = statement
                .actions
                .iter()
                .filter(|a| a.starts_with("kms:"))
                .collect();
            if kms.is_empty() {
                continue;
            }
            assert!(
                statement.kms_secrets.is_some(),
                "{function}'s {} names the secrets it seals or opens",
                statement.sid
            );
            if kms.iter().any(|a| *a == "kms:Decrypt") {
                opening.insert(function.clone());
            }
            if kms.iter().any(|a| *a == "kms:GenerateDataKey") {
                assert!(
                    !statement.kms_secret_if_exists,
                    "a seal always names its secret"
                );
            }
        }
    }
    // Provisioning opens an order's secrets; a staff login opens the member's.
    assert_eq!(
        opening,
        BTreeSet::from(["worker".to_string(), "api-admin".to_string()])
    );
}

#[test]
fn the_public_functions_write_no_index_attribute() {
    let policies = hostfront_tests::template::policies();
    for function in ["api-system", "api-catalog", "api-domains"] {
        for statement in &policies[function] {
            let writes = statement.actions.iter().any(|a| {
                ["PutItem", "UpdateItem", "BatchWriteItem", "DeleteItem"]
                    .iter()
                    .any(|w| a == &format!("dynamodb:{w}"))
            });
            if !writes {
                continue;
            }
            let attributes = statement.attributes.as_ref().unwrap_or_else(|| {
                panic!(
                    "{function}'s {} names the attributes it writes",
                    statement.sid
                )
            });
            for attribute in attributes {
                assert!(
                    !attribute.starts_with("gsi") && attribute != "customer_id",
                    "{function} may write {attribute}"
                );
            }
        }
    }
}

/// The text of the `resource` block.
fn block<'a>(template: &'a str, resource: &str) -> &'a str {
    let rest = template
        .split(&format!("\n  {resource}:\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {resource} in the template"));
    let end = rest.find("\n\n  ").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn a_firewall_is_on_by_default_and_counts_each_client() {
    let template = template();
    let acl = block(&template, "WebAcl");
    assert!(acl.contains("Scope: CLOUDFRONT"));
    assert!(
        acl.contains("Condition: MakesWebAcl")
            && template
                .contains("MakesWebAcl: !And [!Condition InUsEast1, !Not [!Condition HasWebAcl]]")
            && template.contains("WebACLId: !If [MakesWebAcl, !GetAtt WebAcl.Arn, !Ref WebAclArn]"),
        "made unless one is given, and the distribution's"
    );
    // Outside us-east-1 (where CloudFront's web ACLs must be) one must be given.
    assert!(template.contains("- Assert: !Not [!Equals [!Ref WebAclArn, \"\"]]"));
    // Per client (address), with the tightest count on staff logins.
    for (rule, path, limit) in [
        ("StaffLogins", "/api/admin/login", "StaffLoginsPer5Min"),
        (
            "CustomerLogins",
            "login|signup|verify-email",
            "ClientLoginsPer5Min",
        ),
        ("ApiPerClient", "/api/", "ClientRequestsPer5Min"),
    ] {
        let rule_text = acl
            .split(&format!("- Name: {rule}\n"))
            .nth(1)
            .and_then(|r| r.split("- Name:").next())
            .unwrap_or_else(|| panic!("the rule {rule}"));
        for needed in [
            "AggregateKeyType: IP",
            path,
            &format!("Limit: !Ref {limit}"),
            "ResponseCode: 429",
        ] {
            assert!(rule_text.contains(needed), "{rule} has {needed}");
        }
    }
    let default = |parameter: &str| number_in(&template, parameter, "Default");
    assert!(default("StaffLoginsPer5Min") <= default("ClientLoginsPer5Min"));
    assert!(default("ClientLoginsPer5Min") < default("ClientRequestsPer5Min"));
}

#[test]
fn the_costly_routes_have_their_own_throttles_and_the_console_room() {
    let template = template();
    let routed: BTreeSet<String> = hostfront_tests::template::routes()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let settings: BTreeSet<String> = block(&template, "Api")
        .split("\n      RouteSettings:\n")
        .nth(1)
        .expect("route settings")
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')?
                .split('"')
                .next()
                .map(String::from)
        })
        .collect();
    for costly in [
        "POST /api/login",
        "POST /api/signup",
        "POST /api/admin/login",
        "GET /api/domains/check",
        "POST /api/orders/{id}/pay",
    ] {
        assert!(settings.contains(costly), "{costly} has its own throttle");
    }
    // API Gateway refuses a stage whose settings name a route it lacks.
    let unknown: Vec<_> = settings.difference(&routed).collect();
    assert!(unknown.is_empty(), "throttles of no route: {unknown:?}");
    assert!(
        number_in(&template, "AdminFunction", "ReservedConcurrentExecutions") >= 20,
        "staff keep room to work while logins are limited before the function"
    );
}

#[test]
fn a_request_around_cloudfront_stops_at_api_gateway() {
    let template = template();
    let api = block(&template, "Api");
    assert!(api.contains("DefaultAuthorizer: ThroughCloudFront"));
    assert!(api.contains("FunctionArn: !GetAtt OriginCheckFunction.Arn"));
    // The header CloudFront adds is the authorizer's identity: API Gateway
    // refuses a request without it before invoking anything.
    assert!(template.contains("HeaderName: X-Hostfront-Origin"));
    assert!(api.contains("Headers: [X-Hostfront-Origin]"));
    assert!(api.contains("ReauthorizeEvery: 300"));
    assert!(
        !block(&template, "OriginCheckFunction").contains("Policies:"),
        "the authorizer has no AWS rights"
    );
}
