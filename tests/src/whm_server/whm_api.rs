//! WHM API 1 as the stand-in answers it: `createacct`, `listaccts`,
//! `showbw` and the functions on one account.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::{Account, Fleet, PACKAGES, SHARED_ADDRESS, valid_username};

impl Fleet {
    pub(super) fn whm(
        &mut self,
        server: &str,
        function: &str,
        q: &HashMap<String, String>,
    ) -> Result<Value, String> {
        let arg = |name: &str| q.get(name).cloned().unwrap_or_default();
        let user = arg("user");
        let missing = || format!("User “{user}” does not exist.");
        if let Some(outcome) = self.reseller_api(server, function, q) {
            return outcome;
        }
        match function {
            "version" => Ok(json!({"version": "11.124.0.21"})),
            "createacct" => self.create(server, q),
            "listaccts" => Ok(self.list(server, q)),
            "showbw" => Ok(self.bandwidth(server)),
            "accountsummary" => {
                let accounts = self.servers.entry(server.into()).or_default();
                let a = accounts.get(&user).ok_or_else(missing)?;
                Ok(json!({"acct": [{
                    "user": user, "domain": a.domain, "plan": a.package,
                    "suspended": i32::from(a.suspended), "ip": a.ip,
                    "disklimit": "unlimited", "diskused": "0M",
                }]}))
            }
            "changepackage" => {
                let package = arg("pkg");
                if !PACKAGES.contains(&package.as_str()) {
                    return Err(format!("Specified package “{package}” does not exist."));
                }
                let accounts = self.servers.entry(server.into()).or_default();
                let a = accounts.get_mut(&user).ok_or_else(missing)?;
                a.package = package;
                Ok(Value::Null)
            }
            "suspendacct" | "unsuspendacct" => {
                let accounts = self.servers.entry(server.into()).or_default();
                let a = accounts.get_mut(&user).ok_or_else(missing)?;
                a.suspended = function == "suspendacct";
                Ok(Value::Null)
            }
            "removeacct" => {
                let user = arg("username");
                let accounts = self.servers.entry(server.into()).or_default();
                accounts
                    .remove(&user)
                    .map(|_| Value::Null)
                    .ok_or_else(|| format!("System user {user} does not exist!"))
            }
            other => Err(format!(
                "Unknown app or function (“{other}”) requested for this version (1) of the API."
            )),
        }
    }

    fn create(&mut self, server: &str, q: &HashMap<String, String>) -> Result<Value, String> {
        let arg = |name: &str| q.get(name).cloned().unwrap_or_default();
        let (user, domain, package) = (arg("username"), arg("domain"), arg("plan"));
        if !valid_username(&user) {
            return Err(format!("Sorry, “{user}” is not a valid username."));
        }
        if !PACKAGES.contains(&package.as_str()) {
            return Err(format!("Sorry, the package “{package}” does not exist."));
        }
        if arg("password").len() < 8 {
            return Err("Sorry, the password is too weak.".into());
        }
        let certificate = self.certificate(&domain);
        let accounts = self.servers.entry(server.into()).or_default();
        if accounts.contains_key(&user) {
            return Err(format!(
                "Sorry, a passwd entry for “{user}” already exists."
            ));
        }
        if accounts
            .values()
            .any(|a| a.domain == domain || a.addon_domains.contains(&domain))
        {
            return Err(format!("Sorry, the domain “{domain}” is already set up."));
        }
        let ip = match arg("ip").as_str() {
            "" | "n" => SHARED_ADDRESS.to_string(),
            "y" => return Err("Sorry, there are no free dedicated IP addresses.".into()),
            ip if ip.parse::<std::net::Ipv4Addr>().is_ok() => ip.to_string(),
            ip => return Err(format!("“{ip}” is not a valid IP address.")),
        };
        accounts.insert(
            user.clone(),
            Account {
                domain: domain.clone(),
                package: package.clone(),
                suspended: false,
                ip: ip.clone(),
                mailboxes: Vec::new(),
                dkim: None,
                reseller: None,
                owner: None,
                addon_domains: Vec::new(),
                parked_domains: Vec::new(),
                certificates: BTreeMap::from([(domain.clone(), certificate)]),
                disk_used_mb: 0,
                disk_limit_mb: None,
                bandwidth_bytes: 0,
                bandwidth_limit_bytes: 0,
            },
        );
        Ok(
            json!({"ip": ip, "package": package, "nameserver": "ns1.example.net",
            "output": {"raw": format!("Account Creation Ok for {user}")}}),
        )
    }

    /// `listaccts`: the server's accounts whose `searchtype` (`user` or
    /// `domain`) matches `search`, exactly or as a part; every account
    /// without a search; an empty list when none matches.
    fn list(&mut self, server: &str, q: &HashMap<String, String>) -> Value {
        let arg = |name: &str| q.get(name).cloned().unwrap_or_default();
        let (search, exact) = (arg("search"), arg("searchmethod") == "exact");
        let accounts = self.servers.entry(server.into()).or_default();
        let found: Vec<Value> = accounts
            .iter()
            .filter(|(user, a)| {
                let value = match arg("searchtype").as_str() {
                    "domain" => a.domain.as_str(),
                    _ => user.as_str(),
                };
                search.is_empty()
                    || (exact && value == search)
                    || (!exact && value.contains(&search))
            })
            .map(|(user, a)| {
                json!({"user": user, "domain": a.domain, "plan": a.package,
                    "suspended": i32::from(a.suspended), "ip": a.ip,
                    "diskused": format!("{}M", a.disk_used_mb),
                    "disklimit": a.disk_limit_mb.map_or("unlimited".into(), |l| format!("{l}M"))})
            })
            .collect();
        json!({"acct": found})
    }
}

impl Fleet {
    /// `showbw` for the current month: every account's bytes served
    /// (`totalbytes`) and its limit in bytes (`limit`, 0 when unlimited),
    /// with the per-domain split (`bwusage`), all on the main domain here.
    fn bandwidth(&mut self, server: &str) -> Value {
        let accounts = self.servers.entry(server.into()).or_default();
        let found: Vec<Value> = accounts
            .iter()
            .map(|(user, a)| {
                json!({"user": user, "maindomain": a.domain, "owner": "root", "reseller": 0,
                    "deleted": 0, "limit": a.bandwidth_limit_bytes, "totalbytes": a.bandwidth_bytes,
                    "bwusage": [{"domain": a.domain, "usage": a.bandwidth_bytes, "deleted": 0}]})
            })
            .collect();
        let total: u64 = accounts.values().map(|a| a.bandwidth_bytes).sum();
        let today = time::OffsetDateTime::now_utc();
        json!({"acct": found, "reseller": "root", "totalused": total,
            "month": u8::from(today.month()), "year": today.year()})
    }
}
