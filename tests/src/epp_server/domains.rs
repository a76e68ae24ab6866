//! The registry's domain objects (RFC 5731) and their grace periods (RFC
//! 3915): check, create, info, renew, update (nameservers, statuses, auth
//! code, and the two-step restore), and transfer.

mod transfers;

use std::collections::BTreeSet;

use hostfront::adapters::sim::{auth_code_for, phase, registered_elsewhere, static_availability};
use hostfront::registrar::DomainStatus;

use super::answer::{
    Answer, DOMAIN_NS, RGP_NS, child, children, date, escape, text_of, texts_of, time,
};
use super::{CLIENT_ID, Command, Domain, OTHER_REGISTRAR, Registry, YEAR};
use hostfront::clock::add_years_secs;

/// How long a restore request waits for its report before the domain
/// falls back into redemption (RFC 3915 section 3.2 leaves it to the
/// registry; Verisign's is seven days).
pub const RESTORE_WINDOW: i64 = 7 * 86_400;

impl Registry {
    pub(super) fn now(&self) -> i64 {
        self.clock.now_secs()
    }

    /// Brings `name` up to date: held elsewhere in the simulated world,
    /// released after its last phase, moved by a transfer whose time came,
    /// or back in redemption when its restore was never reported.
    fn settle(&mut self, name: &str) {
        let now = self.now();
        if !self.domains.contains_key(name) && registered_elsewhere(name) {
            self.domains.insert(
                name.to_string(),
                Domain {
                    sponsor: OTHER_REGISTRAR.into(),
                    expires_at: now + YEAR / 2,
                    created_at: now - 3 * YEAR,
                    nameservers: vec![format!("ns1.{name}"), format!("ns2.{name}")],
                    statuses: BTreeSet::from(["clientTransferProhibited".to_string()]),
                    auth: auth_code_for(name),
                    transfer: None,
                    restore_requested_at: None,
                },
            );
        }
        let delay = self.transfer_delay;
        let Some(domain) = self.domains.get_mut(name) else {
            return;
        };
        if let Some(transfer) = domain.transfer.as_mut()
            && transfer.status == "pending"
            && now >= transfer.at + delay
        {
            if name.starts_with("nack") {
                transfer.status = "clientRejected";
            } else {
                transfer.status = "serverApproved";
                domain.sponsor = transfer.by.clone();
                domain.expires_at = add_years_secs(domain.expires_at, 1);
                domain.statuses.clear();
            }
        }
        if domain
            .restore_requested_at
            .is_some_and(|at| now >= at + RESTORE_WINDOW)
        {
            domain.restore_requested_at = None;
        }
        if domain.sponsor == CLIENT_ID && phase(name, domain.expires_at, now).is_none() {
            self.domains.remove(name);
        }
    }

    fn phase_of(&self, name: &str, domain: &Domain) -> DomainStatus {
        phase_at(name, domain.expires_at, self.now())
    }

    pub(super) fn domain_command(&mut self, command: &Command) -> Answer {
        let Some(object) = command
            .element
            .children()
            .find(|n| n.is_element() && n.tag_name().namespace() == Some(DOMAIN_NS))
        else {
            return Answer::error(2307, "Unimplemented object service");
        };
        if command.name == "check" {
            return self.check(object);
        }
        let name = text_of(object, "name").to_lowercase();
        self.settle(&name);
        match command.name {
            "create" => self.create(&name, object),
            "info" => self.info(&name),
            "renew" => self.renew(&name, object),
            "update" => self.update(&name, object, command.extension),
            "transfer" => self.transfer(&name, object, command.element.attribute("op")),
            _ => Answer::error(2101, "Unimplemented command"),
        }
    }

    fn check(&mut self, object: roxmltree::Node) -> Answer {
        let names: Vec<String> = texts_of(object, "name")
            .iter()
            .map(|n| n.to_lowercase())
            .collect();
        if names.len() > 5 {
            return Answer::error(
                2306,
                "Parameter value policy error: at most 5 names per check",
            );
        }
        let mut data = format!(r#"<domain:chkData xmlns:domain="{DOMAIN_NS}">"#);
        for name in &names {
            self.settle(name);
            let world = static_availability(name);
            let reserved = world.reason.as_deref() == Some("reserved");
            let taken = self.domains.contains_key(name);
            let available = !taken && !reserved;
            data.push_str(&format!(
                r#"<domain:cd><domain:name avail="{}">{}</domain:name>{}</domain:cd>"#,
                u8::from(available),
                escape(name),
                match (available, reserved) {
                    (true, _) => String::new(),
                    (false, true) => "<domain:reason>Reserved</domain:reason>".into(),
                    (false, false) => "<domain:reason>In use</domain:reason>".into(),
                }
            ));
        }
        data.push_str("</domain:chkData>");
        Answer::ok(data)
    }

    fn create(&mut self, name: &str, object: roxmltree::Node) -> Answer {
        if self.domains.contains_key(name) {
            return Answer::error(2302, "Object exists");
        }
        if !static_availability(name).available {
            return Answer::error(2306, "Parameter value policy error: reserved");
        }
        let years: i64 = text_of(object, "period").parse().unwrap_or(1);
        if !(1..=10).contains(&years) {
            return Answer::error(2004, "Parameter value range error: period");
        }
        let auth = child(object, "authInfo")
            .map(|a| text_of(a, "pw"))
            .unwrap_or_default();
        if auth.is_empty() {
            return Answer::error(2003, "Required parameter missing: authInfo");
        }
        let now = self.now();
        let nameservers: Vec<String> = children(object, "hostObj")
            .map(|n| n.text().unwrap_or_default().trim().to_lowercase())
            .collect();
        let domain = Domain {
            sponsor: CLIENT_ID.into(),
            expires_at: add_years_secs(now, years as u32),
            created_at: now,
            nameservers,
            statuses: BTreeSet::from(["clientTransferProhibited".to_string()]),
            auth,
            transfer: None,
            restore_requested_at: None,
        };
        let data = format!(
            r#"<domain:creData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:crDate>{}</domain:crDate><domain:exDate>{}</domain:exDate></domain:creData>"#,
            escape(name),
            time(now),
            time(domain.expires_at)
        );
        self.domains.insert(name.to_string(), domain);
        Answer::ok(data)
    }

    fn info(&self, name: &str) -> Answer {
        let Some(domain) = self.domains.get(name) else {
            return Answer::error(2303, "Object does not exist");
        };
        let ours = domain.sponsor == CLIENT_ID;
        let mut statuses: Vec<String> = domain.statuses.iter().cloned().collect();
        if domain
            .transfer
            .as_ref()
            .is_some_and(|t| t.status == "pending")
        {
            statuses.push("pendingTransfer".into());
        }
        let phase = self.phase_of(name, domain);
        if ours
            && matches!(
                phase,
                DomainStatus::Redemption | DomainStatus::PendingDelete
            )
        {
            statuses.push("pendingDelete".into());
        }
        if statuses.is_empty() {
            statuses.push("ok".into());
        }
        let statuses: String = statuses
            .iter()
            .map(|s| format!(r#"<domain:status s="{s}"/>"#))
            .collect();
        let private = if ours {
            let hosts: String = domain
                .nameservers
                .iter()
                .map(|ns| format!("<domain:hostObj>{}</domain:hostObj>", escape(ns)))
                .collect();
            format!(
                "<domain:ns>{hosts}</domain:ns><domain:clID>{CLIENT_ID}</domain:clID><domain:crDate>{}</domain:crDate><domain:exDate>{}</domain:exDate><domain:authInfo><domain:pw>{}</domain:pw></domain:authInfo>",
                time(domain.created_at),
                time(domain.expires_at),
                escape(&domain.auth)
            )
        } else {
            format!(
                "<domain:clID>{}</domain:clID><domain:exDate>{}</domain:exDate>",
                domain.sponsor,
                time(domain.expires_at)
            )
        };
        let mut answer = Answer::ok(format!(
            r#"<domain:infData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:roid>{}-HF</domain:roid>{statuses}{private}</domain:infData>"#,
            escape(name),
            name.len() as u64 * 7919 + domain.created_at as u64 % 100_000
        ));
        let rgp = match (ours, phase) {
            (true, DomainStatus::AutoRenewGrace) => Some("autoRenewPeriod"),
            (true, DomainStatus::Redemption) if domain.restore_requested_at.is_some() => {
                Some("pendingRestore")
            }
            (true, DomainStatus::Redemption) => Some("redemptionPeriod"),
            (true, DomainStatus::PendingDelete) => Some("pendingDelete"),
            _ => None,
        };
        if let Some(rgp) = rgp {
            answer.extension = format!(
                r#"<rgp:infData xmlns:rgp="{RGP_NS}"><rgp:rgpStatus s="{rgp}"/></rgp:infData>"#
            );
        }
        answer
    }

    /// The phase and record of `name` when we sponsor it, or the refusal.
    fn ours(&mut self, name: &str) -> Result<(DomainStatus, &mut Domain), Answer> {
        let now = self.now();
        match self.domains.get_mut(name) {
            None => Err(Answer::error(2303, "Object does not exist")),
            Some(domain) if domain.sponsor != CLIENT_ID => {
                Err(Answer::error(2201, "Authorization error"))
            }
            Some(domain) => Ok((phase_at(name, domain.expires_at, now), domain)),
        }
    }

    fn renew(&mut self, name: &str, object: roxmltree::Node) -> Answer {
        let now = self.now();
        let (phase, domain) = match self.ours(name) {
            Ok(ours) => ours,
            Err(refusal) => return refusal,
        };
        if !matches!(phase, DomainStatus::Active | DomainStatus::AutoRenewGrace) {
            return Answer::error(2304, "Object status prohibits operation");
        }
        if text_of(object, "curExpDate") != date(domain.expires_at) {
            return Answer::error(2306, "Parameter value policy error: curExpDate");
        }
        let years: i64 = text_of(object, "period").parse().unwrap_or(1);
        if !(1..=10).contains(&years)
            || add_years_secs(domain.expires_at, years as u32) > add_years_secs(now, 11)
        {
            return Answer::error(2004, "Parameter value range error: period");
        }
        domain.expires_at = add_years_secs(domain.expires_at, years as u32);
        Answer::ok(format!(
            r#"<domain:renData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:exDate>{}</domain:exDate></domain:renData>"#,
            escape(name),
            time(domain.expires_at)
        ))
    }

    fn update(
        &mut self,
        name: &str,
        object: roxmltree::Node,
        extension: Option<roxmltree::Node>,
    ) -> Answer {
        let now = self.now();
        let (phase, domain) = match self.ours(name) {
            Ok(ours) => ours,
            Err(refusal) => return refusal,
        };
        let restore = extension
            .and_then(|e| children(e, "restore").next())
            .filter(|r| r.tag_name().namespace() == Some(RGP_NS));
        if let Some(restore) = restore {
            return restore_step(domain, phase, restore, now);
        }
        let mut nameservers = domain.nameservers.clone();
        let mut statuses = domain.statuses.clone();
        if let Some(add) = child(object, "add") {
            nameservers.extend(
                children(add, "hostObj").map(|n| n.text().unwrap_or_default().to_lowercase()),
            );
            statuses.extend(
                children(add, "status")
                    .filter_map(|s| s.attribute("s"))
                    .map(String::from),
            );
        }
        if let Some(rem) = child(object, "rem") {
            let gone: Vec<String> = children(rem, "hostObj")
                .map(|n| n.text().unwrap_or_default().to_lowercase())
                .collect();
            nameservers.retain(|ns| !gone.contains(ns));
            for status in children(rem, "status").filter_map(|s| s.attribute("s")) {
                statuses.remove(status);
            }
        }
        if nameservers.len() == 1 || nameservers.len() > 13 {
            return Answer::error(2306, "Parameter value policy error: 2 to 13 nameservers");
        }
        if let Some(pw) = child(object, "chg")
            .and_then(|c| child(c, "authInfo"))
            .map(|a| text_of(a, "pw"))
        {
            domain.auth = pw;
        }
        domain.nameservers = nameservers;
        domain.statuses = statuses;
        Answer::ok(String::new())
    }
}

/// The phase of a domain of ours: the simulation's phases (a domain past
/// them is released when next settled).
pub(super) fn phase_at(name: &str, expires_at: i64, now: i64) -> DomainStatus {
    phase(name, expires_at, now).unwrap_or(DomainStatus::PendingDelete)
}

/// One step of RFC 3915's restore (section 3.2): a request takes a domain
/// in redemption to `pendingRestore`; the report that must follow within
/// the window restores it, renewed for the year it lapsed.
fn restore_step(
    domain: &mut Domain,
    phase: DomainStatus,
    restore: roxmltree::Node,
    now: i64,
) -> Answer {
    let redemption = phase == DomainStatus::Redemption;
    match restore.attribute("op") {
        Some("request") if redemption && domain.restore_requested_at.is_none() => {
            domain.restore_requested_at = Some(now);
            let mut answer = Answer::ok(String::new());
            answer.extension = format!(
                r#"<rgp:upData xmlns:rgp="{RGP_NS}"><rgp:rgpStatus s="pendingRestore"/></rgp:upData>"#
            );
            answer
        }
        Some("report") if redemption && domain.restore_requested_at.is_some() => {
            let Some(report) = child(restore, "report") else {
                return Answer::error(2003, "Required parameter missing: rgp:report");
            };
            if texts_of(report, "statement").iter().any(String::is_empty)
                || text_of(report, "resReason").is_empty()
            {
                return Answer::error(2306, "Parameter value policy error: empty report");
            }
            domain.restore_requested_at = None;
            domain.expires_at = add_years_secs(domain.expires_at, 1);
            Answer::ok(String::new())
        }
        Some("report") => Answer::error(
            2304,
            "Object status prohibits operation: no restore pending",
        ),
        _ => Answer::error(2304, "Object status prohibits operation: not in redemption"),
    }
}
