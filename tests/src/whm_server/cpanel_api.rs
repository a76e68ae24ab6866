//! cPanel's APIs as the stand-in answers them, inside `uapi_cpanel` (UAPI)
//! and `cpanel` (cPanel API 2).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{CopiedBackup, Fleet};

impl Fleet {
    pub(super) fn uapi(
        &mut self,
        server: &str,
        q: &HashMap<String, String>,
    ) -> Result<Value, String> {
        let arg = |name: &str| q.get(name).cloned().unwrap_or_default();
        let user = arg("cpanel.user");
        let call = format!("{}::{}", arg("cpanel.module"), arg("cpanel.function"));
        let accounts = self.servers.entry(server.into()).or_default();
        let Some(a) = accounts.get_mut(&user) else {
            return Err(format!("The user “{user}” does not exist."));
        };
        if let Some(outcome) = super::resellers::email_auth(a, &call, &arg("domain"), self.next_id)
        {
            return outcome;
        }
        match call.as_str() {
            "Email::list_pops" => Ok(std::iter::once(
                json!({"email": user, "login": "Main Account"}),
            )
            .chain(a.mailboxes.iter().map(|m| json!({"email": m, "login": m})))
            .collect()),
            // UAPI's `Park`: an alias of the main domain, refused when the
            // name is the account's already (its own, an addon or parked).
            "Park::park" => {
                let domain = arg("domain").to_lowercase();
                let domain = domain.strip_prefix("www.").unwrap_or(&domain).to_string();
                let held = domain == a.domain
                    || a.addon_domains.contains(&domain)
                    || a.parked_domains.contains(&domain);
                if held || !domain.contains('.') {
                    return Err(format!("The domain “{domain}” already exists."));
                }
                a.parked_domains.push(domain);
                Ok(Value::Null)
            }
            "Park::unpark" => {
                let domain = arg("domain");
                let before = a.parked_domains.len();
                a.parked_domains.retain(|d| *d != domain);
                if a.parked_domains.len() == before {
                    return Err(format!("“{domain}” is not a parked domain of “{user}”."));
                }
                Ok(Value::Null)
            }
            "Email::add_pop" => {
                let (local, domain) = (arg("email"), arg("domain"));
                if domain != a.domain && !a.addon_domains.contains(&domain) {
                    return Err(format!(
                        "The domain “{domain}” does not belong to “{user}”."
                    ));
                }
                if arg("password").len() < 8 {
                    return Err("The password is too weak.".into());
                }
                let address = format!("{local}@{domain}");
                if a.mailboxes.contains(&address) {
                    return Err(format!("The account {address} already exists!"));
                }
                a.mailboxes.push(address);
                Ok(json!(format!("{local}+{domain}")))
            }
            "DomainInfo::list_domains" => Ok(json!({
                "main_domain": a.domain, "addon_domains": a.addon_domains,
                "parked_domains": a.parked_domains, "sub_domains": a.addon_domains.iter()
                    .map(|d| format!("{}.{}", d.replace('.', "-"), a.domain)).collect::<Vec<_>>(),
            })),
            "SSL::installed_hosts" => {
                let sites = std::iter::once(&a.domain).chain(&a.addon_domains);
                Ok(sites
                    .filter_map(|site| {
                        let (id, not_after) = a.certificates.get(site)?;
                        Some(json!({"servername": site, "certificate": {
                            "id": id, "not_after": not_after, "domains": [site, format!("www.{site}")],
                            "issuer.organizationName": "cPanel, Inc.",
                        }}))
                    })
                    .collect())
            }
            "Backup::fullbackup_to_scp_with_password" => {
                if arg("password").is_empty() || arg("host").is_empty() {
                    return Err("You must specify a host and a password.".into());
                }
                let copied = CopiedBackup {
                    server: server.into(),
                    user,
                    host: arg("host"),
                    port: arg("port"),
                    directory: arg("directory"),
                };
                self.backups.push(copied);
                self.next_id += 1;
                Ok(json!({"pid": (40_000 + self.next_id).to_string()}))
            }
            other => Err(format!("Failed to load module for “{other}”.")),
        }
    }

    pub(super) fn api2(
        &mut self,
        server: &str,
        q: &HashMap<String, String>,
    ) -> Result<String, String> {
        let arg = |name: &str| q.get(name).cloned().unwrap_or_default();
        let user = arg("cpanel_jsonapi_user");
        let call = format!(
            "{}::{}",
            arg("cpanel_jsonapi_module"),
            arg("cpanel_jsonapi_func")
        );
        let taken = self
            .servers
            .get(server)
            .map(|accounts| {
                accounts
                    .values()
                    .flat_map(|a| std::iter::once(a.domain.clone()).chain(a.addon_domains.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let certificate = self.certificate(&arg("newdomain"));
        let accounts = self.servers.entry(server.into()).or_default();
        let Some(a) = accounts.get_mut(&user) else {
            return Err(format!("The user “{user}” does not exist."));
        };
        match call.as_str() {
            "AddonDomain::addaddondomain" => {
                let domain = arg("newdomain");
                if taken.contains(&domain) {
                    return Err(format!(
                        "The domain “{domain}” already exists in the userdata."
                    ));
                }
                if arg("subdomain").is_empty() || arg("dir").is_empty() {
                    return Err("You must specify a subdomain and a document root.".into());
                }
                a.addon_domains.push(domain.clone());
                a.certificates.insert(domain.clone(), certificate);
                Ok(format!("The addon domain “{domain}” has been created."))
            }
            "AddonDomain::deladdondomain" => {
                let domain = arg("domain");
                let expected = format!("{}_{}", domain.replace('.', "-"), a.domain);
                if !a.addon_domains.contains(&domain) || arg("subdomain") != expected {
                    return Err(format!("The addon domain “{domain}” does not exist."));
                }
                a.addon_domains.retain(|d| *d != domain);
                a.certificates.remove(&domain);
                a.mailboxes.retain(|m| !m.ends_with(&format!("@{domain}")));
                Ok(format!("The addon domain “{domain}” has been removed."))
            }
            other => Err(format!("Could not find function “{other}”.")),
        }
    }
}
