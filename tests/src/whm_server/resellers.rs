//! Resellers and DKIM as the stand-in answers them. WHM API 1
//! (api.docs.cpanel.net, "Account Permissions" and "Resellers"):
//! `saveacllist` saves a named privilege list on the server, each `acl-*`
//! parameter at 1 adding a privilege and at 0 removing it; `setupreseller`
//! makes an existing account a reseller; `setacls` gives a reseller a
//! saved list; `setresellerlimits` sets its account and disk limits, and
//! refuses an account that is no reseller. UAPI's `EmailAuth`
//! (`enable_dkim`, `validate_current_dkims`): a domain of the account gets
//! a key once, and the record to publish is its `expected`, at
//! `default._domainkey.<domain>`.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use super::{Account, Fleet};

/// A reseller's privileges and limits, as WHM keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reseller {
    pub acl_list: Option<String>,
    pub account_limit: Option<u32>,
    pub disk_limit_mb: Option<u64>,
}

impl Fleet {
    /// The reseller functions of WHM API 1, or `None` for another function.
    pub(super) fn reseller_api(
        &mut self,
        server: &str,
        function: &str,
        q: &HashMap<String, String>,
    ) -> Option<Result<Value, String>> {
        let arg = |name: &str| q.get(name).cloned().unwrap_or_default();
        let outcome = match function {
            "saveacllist" => self.save_acl_list(server, q),
            "setupreseller" => self.account_of(server, &arg("user")).map(|a| {
                a.reseller.get_or_insert_with(Reseller::default);
                Value::Null
            }),
            "setacls" => {
                let list = arg("acllist");
                let known = self
                    .acl_lists
                    .get(server)
                    .is_some_and(|lists| lists.contains_key(&list));
                let reseller = self.reseller_of(server, &arg("reseller"));
                match reseller {
                    Err(error) => Err(error),
                    Ok(_) if !known => Err(format!("The ACL list “{list}” does not exist.")),
                    Ok(r) => {
                        r.acl_list = Some(list);
                        Ok(Value::Null)
                    }
                }
            }
            "setresellerlimits" => {
                let number = |name: &str| arg(name).parse::<u64>().ok();
                let (accounts, disk) = (number("account_limit"), number("diskspace_limit"));
                self.reseller_of(server, &arg("user")).map(|r| {
                    if arg("enable_account_limit") == "1" {
                        r.account_limit = accounts.map(|n| n as u32);
                    }
                    if arg("enable_resource_limits") == "1" {
                        r.disk_limit_mb = disk;
                    }
                    Value::Null
                })
            }
            "listresellers" => Ok(json!({"reseller": self
                .servers
                .get(server)
                .map(|accounts| {
                    accounts
                        .iter()
                        .filter(|(_, a)| a.reseller.is_some())
                        .map(|(user, _)| user.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()})),
            "terminatereseller" => {
                self.terminate(server, &arg("user"), arg("terminatereseller") == "1")
            }
            _ => return None,
        };
        Some(outcome)
    }

    /// `terminatereseller`: removes every account the reseller owns, and
    /// its own when `main` is set.
    fn terminate(&mut self, server: &str, user: &str, main: bool) -> Result<Value, String> {
        self.reseller_of(server, user)?;
        let accounts = self.servers.entry(server.into()).or_default();
        let owned: Vec<String> = accounts
            .iter()
            .filter(|(_, a)| a.owner.as_deref() == Some(user))
            .map(|(name, _)| name.clone())
            .collect();
        let mut removed = Vec::new();
        for name in owned.into_iter().chain(main.then(|| user.to_string())) {
            accounts.remove(&name);
            removed.push(json!({"output": {"raw": format!("Account Removal Ok for {name}")}}));
        }
        Ok(json!({"acct": removed}))
    }

    fn save_acl_list(
        &mut self,
        server: &str,
        q: &HashMap<String, String>,
    ) -> Result<Value, String> {
        let name = q.get("acllist").cloned().unwrap_or_default();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            return Err(format!("Invalid ACL list name “{name}”."));
        }
        let list = self
            .acl_lists
            .entry(server.into())
            .or_default()
            .entry(name)
            .or_default();
        for (param, value) in q {
            let Some(acl) = param.strip_prefix("acl-") else {
                continue;
            };
            match value.as_str() {
                "1" => list.insert(acl.to_string()),
                _ => list.remove(acl),
            };
        }
        Ok(Value::Null)
    }

    fn account_of(&mut self, server: &str, user: &str) -> Result<&mut Account, String> {
        self.servers
            .entry(server.into())
            .or_default()
            .get_mut(user)
            .ok_or_else(|| format!("User “{user}” does not exist."))
    }

    fn reseller_of(&mut self, server: &str, user: &str) -> Result<&mut Reseller, String> {
        self.account_of(server, user)?
            .reseller
            .as_mut()
            .ok_or_else(|| format!("“{user}” is not a reseller."))
    }

    /// The privileges of `server`'s list `name`.
    pub(super) fn acl_list(&self, server: &str, name: &str) -> BTreeSet<String> {
        self.acl_lists
            .get(server)
            .and_then(|lists| lists.get(name))
            .cloned()
            .unwrap_or_default()
    }
}

/// UAPI's `EmailAuth` functions on the account `a`, or `None` for another.
pub(super) fn email_auth(
    a: &mut Account,
    call: &str,
    domain: &str,
    next_id: u64,
) -> Option<Result<Value, String>> {
    let owned = domain == a.domain || a.addon_domains.iter().any(|d| d == domain);
    let outcome = match call {
        _ if !call.starts_with("EmailAuth::") => return None,
        _ if !owned => Err(format!("You do not have access to the domain “{domain}”.")),
        "EmailAuth::enable_dkim" => {
            let msg = if a.dkim.is_some() {
                "[no changes needed]"
            } else {
                // Not a real key: the stand-in signs nothing, and the
                // adapter only passes the record on.
                a.dkim = Some(format!(
                    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA{}",
                    format!("{next_id:08}").repeat(44)
                ));
                "Installed Keys"
            };
            Ok(json!([{"domain": domain, "status": 1, "msg": msg}]))
        }
        "EmailAuth::validate_current_dkims" => Ok(json!([{
            "domain": format!("default._domainkey.{domain}"),
            "state": "MISSING",
            "expected": a.dkim.clone().unwrap_or_default(),
            "record": null,
        }])),
        other => Err(format!("Failed to load module for “{other}”.")),
    };
    Some(outcome)
}
