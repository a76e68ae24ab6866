//! The cases every pool passes.

use std::collections::HashSet;

use hostfront::machines::{MachineError, MachineState};

use super::{Pool, installation, refusal_code, request};

pub async fn a_machine_is_taken_once_per_key_with_addresses_of_its_own(pool: &Pool) {
    let m = &pool.machines;
    let first = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 2))
        .await
        .unwrap();
    assert_eq!(first.state, MachineState::Allocated);
    assert_eq!(first.ipv4.len(), 2, "{first:?}");
    assert!(first.cores >= 4 && first.memory_gb >= 16 && first.disk_gb >= 1000);
    let again = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 2))
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(m.machine(&first.id).await.unwrap(), Some(first.clone()));
    for ip in first.ipv4.iter().chain([&first.ipv6]) {
        assert_eq!(
            m.reverse_dns(ip).await.unwrap().as_deref(),
            Some("dedi1.example.net")
        );
    }
    let second = m
        .allocate(&request("order-2", "dedi2.example.net", 4, 2))
        .await
        .unwrap();
    assert_ne!(second.id, first.id);
    let addresses: HashSet<&String> = first.ipv4.iter().chain(&second.ipv4).collect();
    assert_eq!(addresses.len(), 4, "{first:?} {second:?}");
    assert_ne!(first.ipv6, second.ipv6);
}

pub async fn two_calls_at_once_take_one_machine(pool: &Pool) {
    let m = &pool.machines;
    let same = request("order-1", "dedi1.example.net", 4, 1);
    let (a, b) = tokio::join!(m.allocate(&same), m.allocate(&same));
    assert_eq!(a.unwrap(), b.unwrap());
    let (two, three) = (
        request("order-2", "dedi2.example.net", 4, 1),
        request("order-3", "dedi3.example.net", 4, 1),
    );
    let (c, d) = tokio::join!(m.allocate(&two), m.allocate(&three));
    let (c, d) = (c.unwrap(), d.unwrap());
    assert_ne!(c.id, d.id);
    assert_ne!(c.ipv4, d.ipv4);
    // Three machines taken: the pool has no fourth.
    assert!(matches!(
        m.allocate(&request("order-4", "dedi4.example.net", 1, 1))
            .await,
        Err(MachineError::NoCapacity(_))
    ));
}

pub async fn release_wipes_the_machine_and_frees_its_addresses(pool: &Pool) {
    let m = &pool.machines;
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 3))
        .await
        .unwrap();
    assert_eq!(pool.wipes(&taken.id).await, 0);
    m.release(&taken.id).await.unwrap();
    assert_eq!(pool.wipes(&taken.id).await, 1);
    assert_eq!(m.machine(&taken.id).await.unwrap(), None);
    for ip in taken.ipv4.iter().chain([&taken.ipv6]) {
        assert_eq!(m.reverse_dns(ip).await.unwrap(), None, "{ip}");
    }
    m.release(&taken.id).await.unwrap();
    assert_eq!(pool.wipes(&taken.id).await, 1, "released once");
    // Once erased, the machine and its addresses are taken again: the
    // pool holds six, which two IP sets of three use up.
    pool.settle();
    let again = m
        .allocate(&request("order-2", "dedi2.example.net", 4, 3))
        .await
        .unwrap();
    let other = m
        .allocate(&request("order-3", "dedi3.example.net", 4, 3))
        .await
        .unwrap();
    assert!([&again.id, &other.id].contains(&&taken.id));
    assert!(
        m.reverse_dns(&taken.ipv4[0]).await.unwrap().is_some(),
        "the address serves again"
    );
}

pub async fn when_nothing_fits_there_is_no_capacity_and_nothing_is_taken(pool: &Pool) {
    let m = &pool.machines;
    assert!(matches!(
        m.allocate(&request("order-1", "big.example.net", 64, 1))
            .await,
        Err(MachineError::NoCapacity(_))
    ));
    // More addresses than the pool has: no machine is taken either.
    assert!(matches!(
        m.allocate(&request("order-2", "many.example.net", 4, 7))
            .await,
        Err(MachineError::NoCapacity(_))
    ));
    for n in 3..6 {
        let key = format!("order-{n}");
        let taken = m
            .allocate(&request(&key, &format!("dedi{n}.example.net"), 4, 2))
            .await;
        assert!(taken.is_ok(), "{key}: {taken:?}");
    }
}

pub async fn a_machine_too_small_is_not_taken(pool: &Pool) {
    let m = &pool.machines;
    let big = m
        .allocate(&request("order-1", "big.example.net", 6, 1))
        .await
        .unwrap();
    assert!(big.cores >= 6, "{big:?}");
    assert!(matches!(
        m.allocate(&request("order-2", "big2.example.net", 6, 1))
            .await,
        Err(MachineError::NoCapacity(_))
    ));
    let small = m
        .allocate(&request("order-3", "small.example.net", 2, 1))
        .await
        .unwrap();
    assert!(small.cores < 6, "the smallest that fits: {small:?}");
}

pub async fn an_installation_runs_then_is_ready(pool: &Pool) {
    let m = &pool.machines;
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    let installing = m
        .install(&taken.id, &installation("ubuntu-24.04"))
        .await
        .unwrap();
    assert_eq!(installing.state, MachineState::Installing);
    assert_eq!(installing.os_template.as_deref(), Some("ubuntu-24.04"));
    let read = m.machine(&taken.id).await.unwrap().unwrap();
    assert_eq!(read.state, MachineState::Installing);
    pool.settle();
    let ready = m.machine(&taken.id).await.unwrap().unwrap();
    assert_eq!(ready.state, MachineState::Ready);
    assert!(ready.powered);
    // Installing again changes nothing.
    let templates = m.os_templates().await.unwrap();
    let other = templates.iter().find(|t| t.id != "ubuntu-24.04").unwrap();
    let again = m
        .install(&taken.id, &installation(&other.id))
        .await
        .unwrap();
    assert_eq!(again.state, MachineState::Ready);
    assert_eq!(again.os_template.as_deref(), Some("ubuntu-24.04"));
}

pub async fn a_bad_template_is_refused_and_nothing_is_installed(pool: &Pool) {
    let m = &pool.machines;
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    let refused = m.install(&taken.id, &installation("windows-95")).await;
    assert_eq!(refusal_code(refused), "unknown_template");
    let read = m.machine(&taken.id).await.unwrap().unwrap();
    assert_eq!(read.state, MachineState::Allocated);
    assert_eq!(read.os_template, None);
    assert!(
        m.os_templates()
            .await
            .unwrap()
            .iter()
            .any(|t| t.id == "ubuntu-24.04")
    );
}

pub async fn power_follows_what_is_asked(pool: &Pool) {
    let m = &pool.machines;
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    m.install(&taken.id, &installation("ubuntu-24.04"))
        .await
        .unwrap();
    pool.settle();
    let powered = || async { m.machine(&taken.id).await.unwrap().unwrap().powered };
    assert!(powered().await);
    m.set_power(&taken.id, false).await.unwrap();
    assert!(!powered().await);
    m.set_power(&taken.id, false).await.unwrap();
    assert!(!powered().await);
    m.set_power(&taken.id, true).await.unwrap();
    assert!(powered().await);
}

pub async fn staff_see_every_machine_free_or_whose(pool: &Pool) {
    let m = &pool.machines;
    let before = m.pool().await.unwrap();
    assert!(
        !before.is_empty() && before.iter().all(|p| p.held.is_none()),
        "{before:?}"
    );
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    let now = m.pool().await.unwrap();
    assert_eq!(now.len(), before.len(), "the same machines");
    let row = now
        .iter()
        .find(|p| p.id == taken.id)
        .expect("the machine taken is listed");
    assert_eq!(row.held.as_ref(), Some(&taken), "with whose it is");
    assert!((row.cores, row.memory_gb) >= (4, 16), "{row:?}");
    assert_eq!(now.iter().filter(|p| p.held.is_some()).count(), 1);
    m.release(&taken.id).await.unwrap();
    pool.settle();
    let after = m.pool().await.unwrap();
    assert!(
        after.iter().all(|p| p.held.is_none()),
        "free again: {after:?}"
    );
}
