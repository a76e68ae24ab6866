//! The Proxmox adapter's own cases, against the stand-in: what it sets on
//! the clone, lost answers and outages.

use hostfront::hypervisor::{Hypervisor, HypervisorError};
use hostfront_tests::proxmox_server::ProxmoxServer;

use super::{KEY, NODE_MEMORY_MB, new_vm, proxmox};

async fn cluster() -> (ProxmoxServer, hostfront_tests::TableFixture) {
    let f = hostfront_tests::sqlite_table().await;
    (ProxmoxServer::start(NODE_MEMORY_MB.into()).await, f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clone_is_configured_through_cloud_init_and_started() {
    let (cluster, f) = cluster().await;
    let h = proxmox(&cluster, &f);
    let vm = h
        .create_vm(&new_vm("order-1", "vps1.example.net"))
        .await
        .unwrap();
    let vmid: u64 = vm.id.parse().unwrap();
    let config = |key| cluster.config(vmid, key);
    assert_eq!(config("ciuser").as_deref(), Some("root"));
    assert_eq!(config("cores").as_deref(), Some("2"));
    assert_eq!(config("memory").as_deref(), Some("2048"));
    assert_eq!(config("disk_gb").as_deref(), Some("40"));
    assert_eq!(
        config("ipconfig0"),
        Some(format!(
            "ip={}/24,gw=192.0.2.1,ip6={}/64,gw6=2001:db8:2::1",
            vm.ipv4, vm.ipv6
        ))
    );
    let keys = config("sshkeys").unwrap();
    assert!(
        !keys.contains(' ') && keys.starts_with("ssh-ed25519%20"),
        "{keys}"
    );
    assert_eq!(
        config("description").as_deref(),
        Some("hostfront-key: order-1")
    );
    assert_eq!(
        cluster.vms(),
        vec![(vmid, vm.node.clone(), vm.name.clone(), true)]
    );
    assert!(KEY.starts_with("ssh-ed25519 "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_clone_answer_still_makes_one_vm() {
    let (cluster, f) = cluster().await;
    let h = proxmox(&cluster, &f);
    cluster.lose_answer_of("clone");
    let request = new_vm("order-1", "vps1.example.net");
    assert!(matches!(
        h.create_vm(&request).await,
        Err(HypervisorError::Unavailable(_))
    ));
    let vm = h.create_vm(&request).await.unwrap();
    assert_eq!(cluster.calls("clone"), 1);
    assert_eq!(cluster.vms().len(), 1);
    assert!(vm.running);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_start_answer_still_makes_one_running_vm() {
    let (cluster, f) = cluster().await;
    let h = proxmox(&cluster, &f);
    cluster.lose_answer_of("start");
    let request = new_vm("order-1", "vps1.example.net");
    assert!(h.create_vm(&request).await.is_err());
    let vm = h.create_vm(&request).await.unwrap();
    assert_eq!((cluster.calls("clone"), cluster.calls("start")), (1, 1));
    assert_eq!(
        cluster.vms(),
        vec![(vm.id.parse().unwrap(), vm.node, vm.name, true)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_calls_at_once_clone_once() {
    let (cluster, f) = cluster().await;
    let h = proxmox(&cluster, &f);
    let request = new_vm("order-1", "vps1.example.net");
    let (a, b) = tokio::join!(h.create_vm(&request), h.create_vm(&request));
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!((cluster.calls("clone"), cluster.vms().len()), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_outage_is_unavailable_and_a_retry_finishes() {
    let (cluster, f) = cluster().await;
    let h = proxmox(&cluster, &f);
    cluster.fail_next_calls(1);
    let request = new_vm("order-1", "vps1.example.net");
    assert!(matches!(
        h.create_vm(&request).await,
        Err(HypervisorError::Unavailable(_))
    ));
    h.create_vm(&request).await.unwrap();
    assert_eq!(cluster.vms().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_token_is_refused_and_nothing_made() {
    let (cluster, f) = cluster().await;
    let mut settings = cluster.settings(2);
    settings.token_secret = "wrong".to_string().into();
    let h =
        hostfront::adapters::proxmox::ProxmoxHypervisor::new(settings, f.table.clone()).unwrap();
    let outcome = h.create_vm(&new_vm("order-1", "vps1.example.net")).await;
    assert!(
        matches!(&outcome, Err(HypervisorError::Refused { code, .. }) if code == "hypervisor_denied"),
        "{outcome:?}"
    );
    assert!(cluster.vms().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deleting_stops_and_destroys_the_vm() {
    let (cluster, f) = cluster().await;
    let h = proxmox(&cluster, &f);
    let vm = h
        .create_vm(&new_vm("order-1", "vps1.example.net"))
        .await
        .unwrap();
    h.delete_vm(&vm.id).await.unwrap();
    assert_eq!((cluster.calls("stop"), cluster.calls("destroy")), (1, 1));
    assert!(cluster.vms().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vm_it_did_not_make_is_left_alone() {
    let (cluster, f) = cluster().await;
    let vm = proxmox(&cluster, &f)
        .create_vm(&new_vm("order-1", "vps1.example.net"))
        .await
        .unwrap();
    let elsewhere = hostfront_tests::sqlite_table().await;
    let stranger = proxmox(&cluster, &elsewhere);
    stranger.delete_vm(&vm.id).await.unwrap();
    stranger.delete_vm("9000").await.unwrap();
    let outcome = stranger.set_power(&vm.id, false).await;
    assert!(
        matches!(outcome, Err(HypervisorError::Refused { .. })),
        "{outcome:?}"
    );
    assert_eq!(cluster.vms().len(), 1);
    assert_eq!((cluster.calls("stop"), cluster.calls("destroy")), (0, 0));
}
