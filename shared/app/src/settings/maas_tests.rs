use super::tests::{refused_naming, settings};
use super::*;

const MAAS: &[(&str, &str)] = &[
    ("HOSTFRONT_MACHINES", "maas"),
    ("HOSTFRONT_MAAS_URL", "https://maas.example.net:5443/MAAS/"),
    ("HOSTFRONT_MAAS_API_KEY", "consumer:token:MAASSECRET"),
    ("HOSTFRONT_MAAS_TEMPLATES", "ubuntu-24.04=noble"),
    ("HOSTFRONT_MAAS_IPV4_FIRST", "198.51.100.100"),
    ("HOSTFRONT_MAAS_IPV4_COUNT", "16"),
    ("HOSTFRONT_MAAS_IPV6_NETWORK", "2001:db8:52::"),
];

#[test]
fn machines_are_simulated_unless_maas_is_chosen_with_its_region() {
    let simulated = settings(&[]).unwrap();
    assert!(matches!(
        simulated.adapters.machines,
        MachinesChoice::Simulated
    ));
    assert_eq!(simulated.sim.machine_install_secs, 300);
    let s = settings(MAAS).unwrap();
    let MachinesChoice::Maas(maas) = &s.adapters.machines else {
        panic!("MAAS chosen")
    };
    assert_eq!(maas.url, "https://maas.example.net:5443/MAAS");
    assert_eq!(
        maas.templates,
        [("ubuntu-24.04".to_string(), "noble".to_string())]
    );
    assert_eq!(maas.ipv4_count, 16);
    assert_eq!(maas.install_time, std::time::Duration::from_secs(1_800));
    assert!(
        !format!("{s:?}").contains("MAASSECRET"),
        "the key never prints"
    );
    for missing in ["HOSTFRONT_MAAS_API_KEY", "HOSTFRONT_MAAS_IPV4_FIRST"] {
        refused_naming(MAAS, missing);
    }
    let mut bad = MAAS.to_vec();
    bad.push(("HOSTFRONT_MAAS_TEMPLATES", "noble"));
    assert!(settings(&bad).is_err());
    assert!(settings(&[("HOSTFRONT_MACHINES", "ironic")]).is_err());
}
