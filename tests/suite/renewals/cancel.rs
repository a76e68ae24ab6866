//! Cancelling a service, on both engines with the manual clock: at the end
//! of the term, withdrawn, asked again and taking effect in the daily run,
//! which suspends it; the teardown workflow backs it up and removes the
//! account and the zone once, resuming after a failed step; the domain stays.

use std::sync::Arc;

use hostfront::Ports;
use hostfront::audit::Actor;
use hostfront::clock::ManualClock;
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::panel::{
    AccountState, Backup, HostingAccount, HostingPanel, MailDomain, MailSetup, NewAccount,
    PanelError, ResellerAccess, ResellerTerms, ServerInventory,
};
use hostfront::subscriptions::cancel::{self, Acting, CancelError, When};
use hostfront::subscriptions::{self, SubscriptionStatus};

/// The customer `id` acting on their own service.
fn as_customer(id: &CustomerId) -> Acting<'static> {
    Acting {
        actor: Actor::Customer(id.into()),
        client: None,
        role: None,
    }
}
use hostfront::step_ledger::StepsError;

use super::{DAY, first_service, live_domain};
use hostfront::CustomerId;

async fn a_service_ends_when_asked_and_is_torn_down_once(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let table = ports.table.as_ref();
    let service = first_service(ports, &customer.id).await;
    let id = service.id.as_str();

    let pending = cancel::request(
        ports,
        as_customer(&customer.id),
        &customer.id,
        id,
        When::EndOfTerm,
    )
    .await
    .unwrap();
    assert_eq!(
        pending.cancel_at.as_deref(),
        Some(service.next_due.as_str())
    );
    assert_eq!(pending.status, SubscriptionStatus::Active);
    let withdrawn = cancel::withdraw(ports, &customer.id, id).await.unwrap();
    assert_eq!(withdrawn.cancel_at, None);
    assert!(matches!(
        cancel::withdraw(ports, &customer.id, id).await,
        Err(CancelError::Conflict {
            code: "nothing_to_withdraw",
            ..
        })
    ));
    cancel::request(
        ports,
        as_customer(&customer.id),
        &customer.id,
        id,
        When::EndOfTerm,
    )
    .await
    .unwrap();

    // The day before the term ends nothing happens; on the day it ends.
    clock.advance_secs(25 * DAY);
    assert_eq!(
        hostfront::renewals::run_billing(ports).await.unwrap().ended,
        0
    );
    clock.advance_secs(10 * DAY);
    let (first, second) = tokio::join!(
        hostfront::renewals::run_billing(ports),
        hostfront::renewals::run_billing(ports)
    );
    assert_eq!(first.unwrap().ended + second.unwrap().ended, 1);
    let ended = subscriptions::find(table, &customer.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        ended.status,
        SubscriptionStatus::Suspended,
        "suspended first"
    );
    assert!(ended.ended_at.is_some());
    assert!(matches!(
        cancel::withdraw(ports, &customer.id, id).await,
        Err(CancelError::Conflict {
            code: "nothing_to_withdraw",
            ..
        })
    ));

    // The panel fails at removing the account: the steps before stay done.
    let username = &ended.hosting.account.username;
    let mut outage = ports.clone();
    outage.panel = Arc::new(NoRemovals(ports.panel.clone()));
    let failed = cancel::tear_down(&outage, &customer.id, id).await;
    assert!(
        matches!(
            failed,
            Err(StepsError::Failed {
                step: "remove_account",
                ..
            })
        ),
        "{failed:?}"
    );
    let state = ports.panel.state(username).await.unwrap().unwrap();
    assert!(
        state.suspended,
        "the account was suspended before its backup"
    );
    // Two workers at once: one runs the rest, the other finds it leased or done.
    let (a, b) = tokio::join!(
        cancel::tear_down(ports, &customer.id, id),
        cancel::tear_down(ports, &customer.id, id)
    );
    for result in [a, b] {
        assert!(
            matches!(result, Ok(()) | Err(StepsError::Leased(_))),
            "{result:?}"
        );
    }
    cancel::tear_down(ports, &customer.id, id).await.unwrap();
    assert!(ports.panel.account(username).await.unwrap().is_none());
    let steps = table
        .query(hostfront::store::Query::partition(format!("TEARDOWN#{id}")))
        .await
        .unwrap();
    let attempts: Vec<i64> = steps
        .items
        .iter()
        .map(|step| step.get("attempts").and_then(|a| a.as_i64()).unwrap())
        .collect();
    assert_eq!(
        attempts,
        [1, 1, 2, 1, 1],
        "each step done once; the failed one twice"
    );
    assert!(ports.dns_host.zone(&domain.name).await.unwrap().is_none());
    let gone = subscriptions::find(table, &customer.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.status, SubscriptionStatus::Cancelled);
    assert!(gone.torn_down_at.is_some());
    let backup = gone.backup.expect("a backup is recorded");
    assert!(backup.id.starts_with("bk_") && backup.username == *username);
    // The domain stays the customer's, renewing as before.
    let kept = owned::find(table, &customer.id, &domain.name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.status, kept.auto_renew), (OwnedStatus::Active, true));
    assert!(matches!(
        cancel::request(
            ports,
            as_customer(&customer.id),
            &customer.id,
            id,
            When::Now
        )
        .await,
        Err(CancelError::Conflict {
            code: "already_cancelled",
            ..
        })
    ));
}

with_clock_on_both_engines!(a_service_ends_when_asked_and_is_torn_down_once: cancel_embedded, cancel_cloud);

async fn a_service_cancelled_now_ends_at_once(_: &ManualClock, ports: &Ports) {
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let (eve, _) =
        hostfront_tests::customer(ports, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        cancel::request(ports, as_customer(&eve.id), &eve.id, &service.id, When::Now).await,
        Err(CancelError::NotFound)
    ));
    let ended = cancel::request(
        ports,
        as_customer(&customer.id),
        &customer.id,
        &service.id,
        When::Now,
    )
    .await
    .unwrap();
    assert_eq!(
        (ended.status, ended.ended_at.is_some()),
        (SubscriptionStatus::Suspended, true),
        "web hosting needs no notice: it ends at once, to be torn down"
    );
    cancel::tear_down(ports, &customer.id, &service.id)
        .await
        .unwrap();
    let gone = subscriptions::find(ports.table.as_ref(), &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.status, SubscriptionStatus::Cancelled);
}

/// The app's panel, unable to remove accounts.
struct NoRemovals(Arc<dyn HostingPanel>);

#[async_trait::async_trait]
impl HostingPanel for NoRemovals {
    fn name(&self) -> &'static str {
        "no-removals"
    }
    async fn create_account(&self, request: &NewAccount) -> Result<HostingAccount, PanelError> {
        self.0.create_account(request).await
    }
    async fn set_up_mail_and_admin(
        &self,
        username: &str,
        admin: &str,
        mailboxes: &[String],
        key: &str,
    ) -> Result<MailSetup, PanelError> {
        self.0
            .set_up_mail_and_admin(username, admin, mailboxes, key)
            .await
    }
    async fn set_up_mail_domain(
        &self,
        username: &str,
        mailboxes: &[String],
        key: &str,
    ) -> Result<MailDomain, PanelError> {
        self.0.set_up_mail_domain(username, mailboxes, key).await
    }
    async fn make_reseller(
        &self,
        username: &str,
        terms: &ResellerTerms,
    ) -> Result<ResellerAccess, PanelError> {
        self.0.make_reseller(username, terms).await
    }
    async fn account(&self, username: &str) -> Result<Option<HostingAccount>, PanelError> {
        self.0.account(username).await
    }
    async fn state(&self, username: &str) -> Result<Option<AccountState>, PanelError> {
        self.0.state(username).await
    }
    async fn usage(
        &self,
        server: &str,
        usernames: &[String],
    ) -> Result<Vec<hostfront::panel::AccountUsage>, PanelError> {
        self.0.usage(server, usernames).await
    }
    async fn certificates(
        &self,
        username: &str,
    ) -> Result<Vec<hostfront::panel::Certificate>, PanelError> {
        self.0.certificates(username).await
    }
    async fn set_plan(&self, username: &str, plan_id: &str) -> Result<(), PanelError> {
        self.0.set_plan(username, plan_id).await
    }
    async fn set_suspended(&self, username: &str, suspended: bool) -> Result<(), PanelError> {
        self.0.set_suspended(username, suspended).await
    }
    async fn set_sites(&self, username: &str, sites: &[String]) -> Result<(), PanelError> {
        self.0.set_sites(username, sites).await
    }
    async fn add_alias(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        self.0.add_alias(username, alias).await
    }
    async fn remove_alias(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        self.0.remove_alias(username, alias).await
    }
    async fn back_up(&self, username: &str, key: &str) -> Result<Backup, PanelError> {
        self.0.back_up(username, key).await
    }
    async fn remove_account(&self, _: &str) -> Result<(), PanelError> {
        Err(PanelError::Unavailable("simulated outage".into()))
    }
    fn inventory(&self) -> &dyn ServerInventory {
        self.0.inventory()
    }
}

with_clock_on_both_engines!(a_service_cancelled_now_ends_at_once: cancel_now_embedded, cancel_now_cloud);
