//! What the template holds back: the headers CloudFront forwards, where
//! each secret goes, the firewall and throttles at the edge, the KMS and
//! DynamoDB rights that keep a function to its own secrets and attributes.

use std::collections::BTreeSet;

use super::{number_in, template};

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
    // Provisioning opens an order's secrets; a staff login opens the member's;
    // a customer's login and their sensitive domain changes open theirs.
    let expected = ["worker", "api-admin", "api-accounts", "api-portal"];
    assert_eq!(opening, expected.into_iter().map(String::from).collect());
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
