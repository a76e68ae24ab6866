//! Domain transfers (RFC 5731): requested with the auth code, queried,
//! approved or rejected by the losing registrar, completed after the delay.

use crate::epp_server::answer::{Answer, DOMAIN_NS, child, escape, text_of, time};
use crate::epp_server::{CLIENT_ID, Domain, OTHER_REGISTRAR, Registry, Transfer};

impl Registry {
    pub(super) fn transfer(
        &mut self,
        name: &str,
        object: roxmltree::Node,
        op: Option<&str>,
    ) -> Answer {
        let now = self.now();
        let Some(domain) = self.domains.get_mut(name) else {
            return Answer::error(2303, "Object does not exist");
        };
        match op {
            Some("request") => {
                if domain.sponsor == CLIENT_ID {
                    return Answer::error(2106, "Object is not eligible for transfer");
                }
                if domain
                    .transfer
                    .as_ref()
                    .is_some_and(|t| t.status == "pending")
                {
                    return Answer::error(2300, "Object pending transfer");
                }
                let pw = child(object, "authInfo")
                    .map(|a| text_of(a, "pw"))
                    .unwrap_or_default();
                if pw != domain.auth {
                    return Answer::error(2202, "Invalid authorization information");
                }
                let transfer = Transfer {
                    by: CLIENT_ID.into(),
                    at: now,
                    status: "pending",
                };
                domain.transfer = Some(transfer.clone());
                let mut answer = transfer_data(name, domain, &transfer, self.transfer_delay);
                answer.code = 1001;
                answer.message = "Command completed successfully; action pending".into();
                answer
            }
            Some("query") => match domain.transfer.clone() {
                Some(transfer) if transfer.by == CLIENT_ID || domain.sponsor == CLIENT_ID => {
                    transfer_data(name, domain, &transfer, self.transfer_delay)
                }
                _ => Answer::error(2301, "Object not pending transfer"),
            },
            _ => Answer::error(2102, "Unimplemented option"),
        }
    }
}

fn transfer_data(name: &str, domain: &Domain, transfer: &Transfer, delay: i64) -> Answer {
    let losing = if domain.sponsor == transfer.by {
        OTHER_REGISTRAR
    } else {
        domain.sponsor.as_str()
    };
    Answer::ok(format!(
        r#"<domain:trnData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:trStatus>{}</domain:trStatus><domain:reID>{}</domain:reID><domain:reDate>{}</domain:reDate><domain:acID>{losing}</domain:acID><domain:acDate>{}</domain:acDate><domain:exDate>{}</domain:exDate></domain:trnData>"#,
        escape(name),
        transfer.status,
        transfer.by,
        time(transfer.at),
        time(transfer.at + delay),
        time(domain.expires_at)
    ))
}
