use std::collections::HashMap;

use super::*;

/// `all` without `missing` is refused, the error naming what is missing.
pub(super) fn refused_naming(all: &[(&str, &str)], missing: &str) {
    let pairs: Vec<_> = all.iter().filter(|(k, _)| *k != missing).cloned().collect();
    let e = settings(&pairs).unwrap_err();
    assert!(e.to_string().contains(missing), "{e}");
}

pub(super) fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned())
}

const EPP: &[(&str, &str)] = &[
    ("HOSTFRONT_REGISTRAR", "epp"),
    ("HOSTFRONT_EPP_HOST", "epp.registry.example"),
    ("HOSTFRONT_EPP_CLIENT_ID", "hostfront"),
    ("HOSTFRONT_EPP_PASSWORD", "eppsecret1"),
    ("HOSTFRONT_EPP_SESSIONS", "4"),
];

fn whm(tokens: &str) -> Result<Settings, ConfigError> {
    settings(&[
        ("HOSTFRONT_PANEL", "whm"),
        ("HOSTFRONT_WHM_TOKENS", tokens),
        (
            "HOSTFRONT_WHM_BACKUP_TARGET",
            "scp://b@vault.example/backups",
        ),
        ("HOSTFRONT_WHM_BACKUP_PASSWORD", "vault secret"),
    ])
}

#[test]
fn defaults_run_embedded_with_the_simulations() {
    let s = settings(&[]).unwrap();
    assert_eq!(s.engine, Engine::Embedded);
    assert_eq!(s.log.format, LogFormat::Text);
    assert_eq!(
        (s.aws.table_name.as_str(), s.queue_name.as_str()),
        ("hostfront", "hostfront-jobs")
    );
    assert_eq!(
        (s.adapters.mail.clone(), s.adapters.demo),
        (MailChoice::Record, false)
    );
    assert_eq!(s.adapters.dns, DnsChoice::Table);
    assert_eq!(s.adapters.unsafe_in_production().len(), 3);
}

#[test]
fn lambda_logs_json_by_default() {
    let s = settings(&[
        ("AWS_LAMBDA_FUNCTION_NAME", "api"),
        ("HOSTFRONT_ENGINE", "aws"),
    ])
    .unwrap();
    assert_eq!(s.log.format, LogFormat::Json);
    assert_eq!(s.engine, Engine::Aws);
}

#[test]
fn bad_values_are_named() {
    let e = settings(&[("HOSTFRONT_ENGINE", "mongo")]).unwrap_err();
    assert!(
        e.to_string()
            .contains("HOSTFRONT_ENGINE is embedded or aws"),
        "{e}"
    );
    let e = settings(&[("HOSTFRONT_SIM_REGISTRAR_FAILURE_RATE", "2")]).unwrap_err();
    assert!(e.to_string().contains("FAILURE_RATE"));
    let e = settings(&[("HOSTFRONT_LOG_FORMAT", "xml")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_LOG_FORMAT"), "{e}");
    let e = settings(&[("HOSTFRONT_TAX_RATE_BPS", "many")]).unwrap_err();
    assert!(
        e.to_string().contains("HOSTFRONT_TAX_RATE_BPS"),
        "the policy's too: {e}"
    );
    let e = settings(&[("HOSTFRONT_WORKERS", "many")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_WORKERS"), "{e}");
    let e = settings(&[("HOSTFRONT_LISTEN", "port 80")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_LISTEN"), "{e}");
    let e = settings(&[("HOSTFRONT_HASH_WAIT_MS", "soon")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_HASH_WAIT_MS"), "{e}");
}

#[test]
fn the_local_server_serves_on_loopback_and_keeps_its_files_in_data() {
    let s = settings(&[]).unwrap();
    assert_eq!(s.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(s.policy.public_url, "http://127.0.0.1:8080");
    assert_eq!(
        (s.server.workers, s.server.shutdown_grace.as_secs()),
        (2, 20)
    );
    assert_eq!(
        (
            s.server.limits.max_connections,
            s.server.limits.max_requests
        ),
        (1024, 256)
    );
    assert_eq!(s.server.limits.request_timeout.as_millis(), 30_000);
    assert_eq!(s.data_dir, std::path::PathBuf::from("data"));
    assert_eq!(s.policy.mailbox_folder, s.data_dir.join("outbox"));

    let moved = settings(&[
        ("HOSTFRONT_LISTEN", "0.0.0.0:9000"),
        ("HOSTFRONT_DATA_DIR", "/var/lib/hostfront"),
        ("HOSTFRONT_HEADER_TIMEOUT_MS", "0"),
        ("HOSTFRONT_MAX_CONNECTIONS", "0"),
        ("HOSTFRONT_WORKERS", "1000"),
    ])
    .unwrap();
    assert_eq!(moved.policy.public_url, "http://0.0.0.0:9000");
    assert_eq!(
        moved.policy.mailbox_folder,
        std::path::Path::new("/var/lib/hostfront/outbox")
    );
    assert_eq!(moved.server.limits.header_timeout.as_millis(), 1);
    assert_eq!(
        (moved.server.limits.max_connections, moved.server.workers),
        (1, 64)
    );
    let mut elsewhere = moved;
    elsewhere.set_data_dir(std::path::Path::new("/tmp/hf"));
    assert_eq!(
        elsewhere.policy.mailbox_folder,
        std::path::Path::new("/tmp/hf/outbox")
    );
}

#[test]
fn the_development_tools_and_their_mailbox_are_local_only() {
    let developing = settings(&[("HOSTFRONT_DEV_TOOLS", "true")]).unwrap();
    assert_eq!(
        developing.adapters.mail,
        MailChoice::Outbox,
        "the development mailbox"
    );
    assert!(developing.policy.dev_tools);
    let aws = settings(&[("HOSTFRONT_ENGINE", "aws"), ("HOSTFRONT_DEV_TOOLS", "true")]).unwrap();
    assert_eq!(aws.adapters.mail, MailChoice::Record);
    assert!(!aws.policy.dev_tools, "never on AWS");
}

#[test]
fn adapters_are_chosen_by_name() {
    let e = settings(&[("HOSTFRONT_PAYMENTS", "stripe-ish")]).unwrap_err();
    assert!(
        e.to_string().contains("HOSTFRONT_PAYMENTS is simulated"),
        "{e}"
    );
    let e = settings(&[("HOSTFRONT_MAIL", "pigeon")]).unwrap_err();
    assert!(e.to_string().contains("outbox or record or ses"), "{e}");
    let e = settings(&[("HOSTFRONT_ENGINE", "aws"), ("HOSTFRONT_MAIL", "ses")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_MAIL_FROM"), "{e}");
    let ses = settings(&[
        ("HOSTFRONT_ENGINE", "aws"),
        ("HOSTFRONT_MAIL", "ses"),
        ("HOSTFRONT_MAIL_FROM", "shop@example.net"),
    ])
    .unwrap();
    assert!(
        matches!(ses.adapters.mail, MailChoice::Ses(SesSettings { ref from, .. }) if from == "shop@example.net")
    );
    let route53 = settings(&[
        ("HOSTFRONT_ENGINE", "aws"),
        ("HOSTFRONT_DNS", "route53"),
        ("HOSTFRONT_ROUTE53_DELEGATION_SET", "N1PA6795SAMPLE"),
    ])
    .unwrap();
    assert_eq!(
        route53.adapters.dns,
        DnsChoice::Route53 {
            delegation_set: Some("N1PA6795SAMPLE".into())
        }
    );
    let e = settings(&[("HOSTFRONT_DNS", "route53")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_ENGINE=aws"), "{e}");
}

#[test]
fn the_registry_needs_its_address_and_a_valid_login() {
    let e = settings(&[("HOSTFRONT_REGISTRAR", "epp")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_EPP_HOST"), "{e}");
    let epp = settings(EPP).unwrap().adapters;
    let RegistrarChoice::Epp(registry) = &epp.registrar else {
        panic!("EPP chosen")
    };
    assert_eq!(
        (registry.port, registry.sessions, registry.check_batch),
        (700, 4, 5)
    );
    assert_eq!(
        epp.unsafe_in_production().len(),
        2,
        "the payments and the panel remain simulated"
    );
    let mut short = EPP.to_vec();
    short.push(("HOSTFRONT_EPP_PASSWORD", "short"));
    let e = settings(&short).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_EPP_PASSWORD"), "{e}");
}

#[test]
fn whm_servers_have_tokens_by_name() {
    let e = settings(&[("HOSTFRONT_PANEL", "whm")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_WHM_BACKUP_TARGET"), "{e}");
    let PanelChoice::Whm(panel) = whm("web1=ONE, *=ALL").unwrap().adapters.panel else {
        panic!("WHM chosen")
    };
    assert_eq!(
        (panel.token("web1"), panel.token("web2")),
        (Some("ONE"), Some("ALL"))
    );
    assert_eq!(panel.url, "https://{server}:2087");
    let PanelChoice::Whm(only_web1) = whm("web1=ONE").unwrap().adapters.panel else {
        panic!("WHM chosen")
    };
    assert_eq!(only_web1.token("web2"), None);
    let e = whm("web1").unwrap_err();
    assert!(e.to_string().contains("server=token"), "{e}");
}

/// Every secret a process may be given, none of which a log may show.
const SECRETS: &[(&str, &str)] = &[
    ("HOSTFRONT_EPP_PASSWORD", "eppsecret1"),
    ("HOSTFRONT_STRIPE_SECRET_KEY", "sk_test_SECRETKEY"),
    ("HOSTFRONT_STRIPE_WEBHOOK_SECRET", "whsec_SIGNINGSECRET"),
    ("HOSTFRONT_WHM_TOKENS", "web1=TOKENONE,*=TOKENALL"),
    ("HOSTFRONT_WHM_BACKUP_PASSWORD", "vault secret"),
];

#[test]
fn no_settings_print_a_secret() {
    let mut pairs = EPP.to_vec();
    pairs.extend([
        ("HOSTFRONT_PAYMENTS", "stripe"),
        ("HOSTFRONT_PANEL", "whm"),
        (
            "HOSTFRONT_WHM_BACKUP_TARGET",
            "scp://b@vault.example/backups",
        ),
    ]);
    pairs.extend(SECRETS);
    let s = settings(&pairs).unwrap();
    let (RegistrarChoice::Epp(epp), PaymentsChoice::Stripe(stripe), PanelChoice::Whm(whm)) = (
        &s.adapters.registrar,
        &s.adapters.payments,
        &s.adapters.panel,
    ) else {
        panic!("every real adapter chosen")
    };
    let printed = [
        format!("{s:?}"),
        format!("{:?}", s.adapters),
        format!("{epp:?}"),
        format!("{stripe:?}"),
        format!("{whm:?}"),
        format!("{:#?}", s.adapters),
    ];
    let secrets = [
        "eppsecret1",
        "SECRETKEY",
        "SIGNINGSECRET",
        "TOKENONE",
        "TOKENALL",
        "vault secret",
    ];
    for text in &printed {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} printed in {text}");
        }
    }
    assert!(
        printed[0].contains("epp.registry.example"),
        "the rest is shown"
    );
}

#[test]
fn vat_numbers_are_checked_in_the_simulation_unless_vies_is_chosen() {
    let s = settings(&[]).unwrap();
    assert!(matches!(s.adapters.tax_ids, TaxIdsChoice::Simulated));
    let s = settings(&[
        ("HOSTFRONT_TAX_IDS", "vies"),
        ("HOSTFRONT_VIES_REQUESTER", "el 094 259 216"),
    ])
    .unwrap();
    let TaxIdsChoice::Vies(vies) = &s.adapters.tax_ids else {
        panic!("VIES chosen: {:?}", s.adapters.tax_ids);
    };
    assert_eq!(vies.url, hostfront_adapters::vies::DEFAULT_URL);
    assert_eq!(vies.requester.as_ref().unwrap().to_string(), "EL094259216");
    assert_eq!(vies.timeout, std::time::Duration::from_secs(10));
    let e = settings(&[
        ("HOSTFRONT_TAX_IDS", "vies"),
        ("HOSTFRONT_VIES_REQUESTER", "GR094259216"),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_VIES_REQUESTER"), "{e}");
    assert!(settings(&[("HOSTFRONT_TAX_IDS", "hmrc")]).is_err());
}

const PROXMOX: &[(&str, &str)] = &[
    ("HOSTFRONT_HYPERVISOR", "proxmox"),
    ("HOSTFRONT_PROXMOX_URL", "https://pve.example.net:8006"),
    ("HOSTFRONT_PROXMOX_TOKEN_ID", "hostfront@pve!provisioning"),
    ("HOSTFRONT_PROXMOX_TOKEN_SECRET", "PVESECRET"),
    ("HOSTFRONT_PROXMOX_NODES", "pve1, pve2"),
    ("HOSTFRONT_PROXMOX_TEMPLATES", "debian-12=9000"),
    ("HOSTFRONT_PROXMOX_IPV4_FIRST", "198.51.100.10"),
    ("HOSTFRONT_PROXMOX_IPV4_COUNT", "32"),
    ("HOSTFRONT_PROXMOX_IPV4_GATEWAY", "198.51.100.1"),
    ("HOSTFRONT_PROXMOX_IPV6_NETWORK", "2001:db8:51::"),
    ("HOSTFRONT_PROXMOX_IPV6_GATEWAY", "2001:db8:51::1"),
];

#[test]
fn vms_are_simulated_unless_proxmox_is_chosen_with_its_cluster() {
    assert!(matches!(
        settings(&[]).unwrap().adapters.hypervisor,
        HypervisorChoice::Simulated
    ));
    let s = settings(PROXMOX).unwrap();
    let HypervisorChoice::Proxmox(proxmox) = &s.adapters.hypervisor else {
        panic!("Proxmox chosen")
    };
    assert_eq!(proxmox.nodes, ["pve1", "pve2"]);
    assert_eq!(proxmox.templates, [("debian-12".to_string(), 9000)]);
    assert_eq!((proxmox.ipv4_count, proxmox.ipv4_prefix), (32, 24));
    assert!(
        !format!("{s:?}").contains("PVESECRET"),
        "the secret never prints"
    );
    for missing in [
        "HOSTFRONT_PROXMOX_TOKEN_SECRET",
        "HOSTFRONT_PROXMOX_IPV4_COUNT",
    ] {
        refused_naming(PROXMOX, missing);
    }
    let mut bad = PROXMOX.to_vec();
    bad.push(("HOSTFRONT_PROXMOX_IPV4_GATEWAY", "gateway"));
    assert!(settings(&bad).is_err());
}
