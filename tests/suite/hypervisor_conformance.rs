//! The `Hypervisor` port's contract, on the simulated hypervisor with its
//! state on SQLite and on DynamoDB (moto), and on the Proxmox VE adapter
//! against the Proxmox stand-in: a VM is made once per key, even by two
//! calls at once, with addresses of its own whose PTRs name it; a request
//! without room or that a hypervisor refuses makes nothing and keeps no
//! address; power follows what is asked; deleting gives the addresses back.
//! Then the Proxmox adapter's own cases: lost answers, outages.

mod over_proxmox;

use std::sync::Arc;
use std::time::Duration;

use hostfront::adapters::proxmox::ProxmoxHypervisor;
use hostfront::adapters::sim::{HypervisorSettings, SimulatedHypervisor};
use hostfront::hypervisor::{Hypervisor, HypervisorError, NewVm};
use hostfront_tests::TableFixture;
use hostfront_tests::proxmox_server::ProxmoxServer;

/// A real ed25519 public key line.
const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ admin@example.net";
/// The addresses in every fixture's pool.
const ADDRESSES: u32 = 2;
/// Each node's memory, in both fixtures.
const NODE_MEMORY_MB: u32 = 8_192;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::sqlite_table().await; super::$case(super::simulated(&f)).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::dynamodb_table().await; super::$case(super::simulated(&f)).await }
            )*
        }
        mod proxmox {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let f = hostfront_tests::sqlite_table().await;
                let cluster = hostfront_tests::proxmox_server::ProxmoxServer::start(super::NODE_MEMORY_MB.into()).await;
                super::$case(super::proxmox(&cluster, &f)).await
            }
            )*
        }
    };
}

conformance!(
    a_vm_is_made_once_per_key_with_addresses_of_its_own,
    two_calls_at_once_make_one_vm,
    deleting_a_vm_gives_its_addresses_back,
    without_room_there_is_no_capacity_and_no_address_kept,
    what_a_hypervisor_refuses_makes_nothing,
    power_follows_what_is_asked,
);

/// Two nodes of 8 vCPUs, 8 GB and 200 GB.
fn simulated(f: &TableFixture) -> Arc<dyn Hypervisor> {
    let settings = HypervisorSettings {
        node_vcpus: 8,
        node_memory_mb: NODE_MEMORY_MB,
        node_disk_gb: 200,
        addresses: ADDRESSES,
        latency: Duration::ZERO,
    };
    Arc::new(SimulatedHypervisor::new(f.table.clone(), settings))
}

fn proxmox(cluster: &ProxmoxServer, f: &TableFixture) -> Arc<dyn Hypervisor> {
    Arc::new(
        ProxmoxHypervisor::new(cluster.settings(ADDRESSES), f.table.clone()).expect("settings"),
    )
}

fn new_vm(key: &str, name: &str) -> NewVm {
    NewVm {
        name: name.into(),
        plan_id: "vps-2".into(),
        vcpus: 2,
        memory_mb: 2_048,
        disk_gb: 40,
        os_template: "debian-12".into(),
        root_password: Some("correct horse battery staple".to_string().into()),
        ssh_public_key: Some(KEY.into()),
        idempotency_key: key.into(),
    }
}

fn refusal_code(result: Result<impl std::fmt::Debug, HypervisorError>) -> String {
    match result {
        Err(HypervisorError::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn a_vm_is_made_once_per_key_with_addresses_of_its_own(h: Arc<dyn Hypervisor>) {
    let vm = h
        .create_vm(&new_vm("order-1", "vps1.example.net"))
        .await
        .unwrap();
    assert!(vm.running, "a new VM runs: {vm:?}");
    assert_eq!((vm.vcpus, vm.memory_mb, vm.disk_gb), (2, 2_048, 40));
    assert_eq!(
        h.create_vm(&new_vm("order-1", "vps1.example.net"))
            .await
            .unwrap(),
        vm
    );
    assert_eq!(h.vm(&vm.id).await.unwrap(), Some(vm.clone()));
    for ip in [&vm.ipv4, &vm.ipv6] {
        assert_eq!(
            h.reverse_dns(ip).await.unwrap().as_deref(),
            Some("vps1.example.net")
        );
    }
    let other = h
        .create_vm(&new_vm("order-2", "vps2.example.net"))
        .await
        .unwrap();
    assert_ne!(other.id, vm.id);
    assert_ne!(other.ipv4, vm.ipv4);
    assert_ne!(other.ipv6, vm.ipv6);
    assert_eq!(h.vm("no-such-vm").await.unwrap(), None);
}

async fn two_calls_at_once_make_one_vm(h: Arc<dyn Hypervisor>) {
    let request = new_vm("order-1", "vps1.example.net");
    let (a, b) = tokio::join!(h.create_vm(&request), h.create_vm(&request));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.id, b.id);
    assert_eq!(a.ipv4, b.ipv4);
    // The pool had two addresses: the calls took one.
    h.create_vm(&new_vm("order-2", "vps2.example.net"))
        .await
        .unwrap();
}

async fn deleting_a_vm_gives_its_addresses_back(h: Arc<dyn Hypervisor>) {
    let first = h
        .create_vm(&new_vm("order-1", "vps1.example.net"))
        .await
        .unwrap();
    h.create_vm(&new_vm("order-2", "vps2.example.net"))
        .await
        .unwrap();
    let third = new_vm("order-3", "vps3.example.net");
    assert!(matches!(
        h.create_vm(&third).await,
        Err(HypervisorError::NoCapacity(_))
    ));
    h.delete_vm(&first.id).await.unwrap();
    assert_eq!(h.vm(&first.id).await.unwrap(), None);
    assert_eq!(h.reverse_dns(&first.ipv6).await.unwrap(), None);
    h.delete_vm(&first.id).await.unwrap();
    let again = h.create_vm(&new_vm("order-1", "vps1.example.net")).await;
    assert_eq!(
        refusal_code(again),
        "vm_deleted",
        "a retry does not make it again"
    );
    let made = h.create_vm(&third).await.unwrap();
    assert_eq!(
        made.ipv4, first.ipv4,
        "the address given back is taken again"
    );
    assert_eq!(
        h.reverse_dns(&made.ipv4).await.unwrap().as_deref(),
        Some("vps3.example.net")
    );
}

async fn without_room_there_is_no_capacity_and_no_address_kept(h: Arc<dyn Hypervisor>) {
    let mut huge = new_vm("order-1", "vps1.example.net");
    huge.memory_mb = NODE_MEMORY_MB * 2;
    assert!(matches!(
        h.create_vm(&huge).await,
        Err(HypervisorError::NoCapacity(_))
    ));
    for n in 2..=3 {
        let request = new_vm(&format!("order-{n}"), &format!("vps{n}.example.net"));
        h.create_vm(&request)
            .await
            .expect("both addresses are free");
    }
}

async fn what_a_hypervisor_refuses_makes_nothing(h: Arc<dyn Hypervisor>) {
    let mut request = new_vm("order-1", "vps1.example.net");
    request.os_template = "windows-95".into();
    assert_eq!(
        refusal_code(h.create_vm(&request).await),
        "unknown_template"
    );
    let mut request = new_vm("order-1", "vps1.example.net");
    request.ssh_public_key = Some("-----BEGIN OPENSSH PRIVATE KEY-----".into());
    assert_eq!(refusal_code(h.create_vm(&request).await), "invalid_ssh_key");
    let request = new_vm("order-1", "vps_1.example.net");
    assert_eq!(
        refusal_code(h.create_vm(&request).await),
        "invalid_hostname"
    );
    let mut request = new_vm("order-1", "vps1.example.net");
    (request.root_password, request.ssh_public_key) = (None, None);
    assert_eq!(refusal_code(h.create_vm(&request).await), "no_credentials");
    let templates = h.os_templates().await.unwrap();
    assert!(
        templates.iter().any(|t| t.id == "debian-12"),
        "{templates:?}"
    );
    for n in 2..=3 {
        let request = new_vm(&format!("order-{n}"), &format!("vps{n}.example.net"));
        h.create_vm(&request).await.expect("no address was kept");
    }
}

async fn power_follows_what_is_asked(h: Arc<dyn Hypervisor>) {
    let vm = h
        .create_vm(&new_vm("order-1", "vps1.example.net"))
        .await
        .unwrap();
    h.set_power(&vm.id, false).await.unwrap();
    h.set_power(&vm.id, false).await.unwrap();
    assert!(!h.vm(&vm.id).await.unwrap().unwrap().running);
    h.set_power(&vm.id, true).await.unwrap();
    assert!(h.vm(&vm.id).await.unwrap().unwrap().running);
    assert_eq!(
        refusal_code(h.set_power("no-such-vm", true).await),
        "no_such_vm"
    );
}

/// The simulation's state is the table's: another process over the same
/// table (a restart) knows the VM and answers its key with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_simulation_remembers_after_a_restart() {
    let f = hostfront_tests::sqlite_table().await;
    let request = new_vm("order-1", "vps1.example.net");
    let vm = simulated(&f).create_vm(&request).await.unwrap();
    simulated(&f).set_power(&vm.id, false).await.unwrap();
    let restarted = simulated(&f);
    let stopped = restarted.vm(&vm.id).await.unwrap().expect("kept");
    assert!(!stopped.running);
    assert_eq!(restarted.create_vm(&request).await.unwrap().id, vm.id);
    let ptr = restarted.reverse_dns(&vm.ipv4).await.unwrap();
    assert_eq!(ptr.as_deref(), Some("vps1.example.net"));
}
