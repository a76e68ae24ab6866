//! The MAAS adapter's own cases, against the stand-in: what a deployment
//! carries, lost answers, outages, a wrong key, no backups.

use base64::Engine as _;
use hostfront::adapters::maas::MaasMachines;
use hostfront::machines::{Installation, MachineError, MachineState, Machines};
use hostfront_tests::TableFixture;
use hostfront_tests::maas_server::MaasServer;

use super::{ADDRESSES, KEY, REGION, installation, refusal_code, request};

async fn region() -> (MaasServer, TableFixture, MaasMachines) {
    let f = hostfront_tests::sqlite_table().await;
    let region = MaasServer::start(REGION).await;
    let machines = MaasMachines::new(region.settings(ADDRESSES), f.table.clone()).unwrap();
    (region, f, machines)
}

fn user_data(region: &MaasServer, id: &str) -> Option<String> {
    let data = region.machine(id)?.user_data?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deployment_carries_the_series_and_the_way_in() {
    let (region, _f, m) = region().await;
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    let in_maas = region.machine(&taken.id).unwrap();
    assert_eq!(in_maas.hostname, "dedi1", "MAAS names it with a label");
    assert_eq!(in_maas.agent_name, "order-1");
    let with_password = Installation {
        root_password: Some("correct horse battery staple".to_string().into()),
        ..installation("ubuntu-22.04")
    };
    m.install(&taken.id, &with_password).await.unwrap();
    assert_eq!(region.machine(&taken.id).unwrap().distro_series, "jammy");
    let document = user_data(&region, &taken.id).unwrap();
    assert!(document.starts_with("#cloud-config\n"), "{document}");
    assert!(document.contains(KEY), "{document}");
    assert!(document.contains("\"$6$"), "{document}");
    assert!(!document.contains("correct horse"), "{document}");

    let managed = m
        .allocate(&request("order-2", "managed1.example.net", 4, 1))
        .await
        .unwrap();
    let without_a_way_in = Installation {
        root_password: None,
        ssh_public_key: None,
        ..installation("ubuntu-24.04")
    };
    m.install(&managed.id, &without_a_way_in).await.unwrap();
    assert_eq!(region.machine(&managed.id).unwrap().distro_series, "noble");
    assert_eq!(user_data(&region, &managed.id), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_allocate_answer_still_takes_one_machine() {
    let (region, _f, m) = region().await;
    region.lose_answer_of("allocate");
    let order = request("order-1", "dedi1.example.net", 4, 1);
    assert!(matches!(
        m.allocate(&order).await,
        Err(MachineError::Unavailable(_))
    ));
    let taken = m.allocate(&order).await.unwrap();
    assert_eq!(region.calls("allocate"), 1, "found by its agent name");
    assert_eq!(
        region.taken(),
        vec![(taken.id.clone(), "order-1".to_string())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_outage_is_unavailable_then_a_retry_takes_one_machine() {
    let (region, _f, m) = region().await;
    let order = request("order-1", "dedi1.example.net", 4, 1);
    region.fail_next_calls(1);
    assert!(matches!(
        m.allocate(&order).await,
        Err(MachineError::Unavailable(_))
    ));
    assert!(region.taken().is_empty());
    let taken = m.allocate(&order).await.unwrap();
    assert_eq!(region.taken().len(), 1);
    region.fail_next_calls(1);
    assert!(matches!(
        m.set_power(&taken.id, false).await,
        Err(MachineError::Unavailable(_))
    ));
    region.lose_answer_of("release");
    assert!(m.release(&taken.id).await.is_err());
    m.release(&taken.id).await.unwrap();
    assert!(region.taken().is_empty());
    assert_eq!(region.machine(&taken.id).unwrap().erasures, vec!["quick"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_key_is_refused() {
    let f = hostfront_tests::sqlite_table().await;
    let region = MaasServer::start(REGION).await;
    let mut settings = region.settings(ADDRESSES);
    settings.api_key = "consumer:token:not-the-secret".to_string().into();
    let m = MaasMachines::new(settings, f.table.clone()).unwrap();
    let refused = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await;
    assert_eq!(refusal_code(refused), "pool_denied");
    assert!(region.taken().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn maas_keeps_no_backups_and_a_deployment_follows_its_reads() {
    let (_region, _f, m) = region().await;
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    assert_eq!(
        refusal_code(m.back_up(&taken.id, "teardown-1").await),
        "no_backups"
    );
    m.install(&taken.id, &installation("ubuntu-24.04"))
        .await
        .unwrap();
    let state = || async { m.machine(&taken.id).await.unwrap().unwrap().state };
    assert_eq!(state().await, MachineState::Installing);
    assert_eq!(state().await, MachineState::Ready);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_series_maas_lacks_is_refused_and_nothing_is_installed() {
    let f = hostfront_tests::sqlite_table().await;
    let region = MaasServer::start(REGION).await;
    let mut settings = region.settings(ADDRESSES);
    settings
        .templates
        .push(("ubuntu-20.04".into(), "focal".into()));
    let m = MaasMachines::new(settings, f.table.clone()).unwrap();
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    let refused = m.install(&taken.id, &installation("ubuntu-20.04")).await;
    assert_eq!(refusal_code(refused), "invalid_parameters");
    let machine = m.machine(&taken.id).await.unwrap().unwrap();
    assert_eq!(machine.state, MachineState::Allocated);
    assert_eq!(region.machine(&taken.id).unwrap().distro_series, "");
}
