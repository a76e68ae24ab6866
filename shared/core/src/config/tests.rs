use std::collections::HashMap;
use std::path::PathBuf;

use super::*;

fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = |k: &str| map.get(k).cloned();
    Config::read(
        &Env::new(&lookup),
        "http://127.0.0.1:8080",
        PathBuf::from("data/outbox"),
    )
}

#[test]
fn defaults_take_what_the_composition_root_gives() {
    let c = config(&[]).unwrap();
    assert_eq!(c.public_url, "http://127.0.0.1:8080");
    assert_eq!(c.mailbox_folder, PathBuf::from("data/outbox"));
    assert_eq!(c.queue_max_receives, 5);
    assert_eq!(
        (
            c.registrar_reserved_per_second,
            c.registrar_portal_per_second
        ),
        (5, 2)
    );
}

#[test]
fn dunning_days_are_ascending() {
    assert_eq!(config(&[]).unwrap().dunning_days, [0, 3, 7]);
    assert_eq!(
        config(&[("HOSTFRONT_DUNNING_DAYS", "1, 5")])
            .unwrap()
            .dunning_days,
        [1, 5]
    );
    for bad in ["3,1", "x", "0,99", "1,,2"] {
        assert!(config(&[("HOSTFRONT_DUNNING_DAYS", bad)]).is_err(), "{bad}");
    }
}

#[test]
fn bad_values_are_named() {
    let e = config(&[("HOSTFRONT_QUEUE_MAX_RECEIVES", "many")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_QUEUE_MAX_RECEIVES"));
    let e = config(&[("HOSTFRONT_TRUSTED_PROXIES", "10.0.0.0/8, nonsense")]).unwrap_err();
    assert!(e.to_string().contains("nonsense"));
    let e = config(&[("HOSTFRONT_COOKIE_SECURE", "maybe")]).unwrap_err();
    assert!(e.to_string().contains("HOSTFRONT_COOKIE_SECURE"), "{e}");
}

#[test]
fn shares_of_the_registrar_quota_are_at_most_all_of_it() {
    let c = config(&[
        ("HOSTFRONT_REGISTRAR_CALLS_PER_SECOND", "8"),
        ("HOSTFRONT_REGISTRAR_RESERVED_PER_SECOND", "50"),
    ])
    .unwrap();
    assert_eq!(
        (
            c.registrar_reserved_per_second,
            c.registrar_portal_per_second
        ),
        (8, 0)
    );
}

#[test]
fn trusted_proxies_take_addresses_and_ranges() {
    let c = config(&[("HOSTFRONT_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]).unwrap();
    let proxies: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
    assert_eq!(proxies, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
}
