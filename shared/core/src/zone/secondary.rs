//! A secondary zone's primary servers, as a customer names them: addresses
//! our nameservers may be sent to for a zone transfer, so never our own
//! networks or ones that reach nothing public.

use std::net::IpAddr;

use super::customer::{Refused, refused};

/// The most primary servers a secondary zone is copied from.
pub const MAX_PRIMARIES: usize = 4;

/// The primary servers a secondary zone is copied from: 1 to
/// [`MAX_PRIMARIES`] addresses on the public internet, each once.
pub fn primaries(addresses: &[String]) -> Result<Vec<IpAddr>, Refused> {
    if addresses.is_empty() || addresses.len() > MAX_PRIMARIES {
        return Err(refused(
            "invalid_primaries",
            format!("a secondary zone names 1 to {MAX_PRIMARIES} primary servers by address"),
        ));
    }
    let mut out: Vec<IpAddr> = Vec::new();
    for address in addresses {
        let ip: IpAddr = address.trim().parse().map_err(|_| {
            refused(
                "invalid_primaries",
                format!("a primary server is named by its IPv4 or IPv6 address, not {address:?}"),
            )
        })?;
        if !public(ip) {
            return Err(refused(
                "invalid_primaries",
                format!("{ip} is not an address on the public internet"),
            ));
        }
        if !out.contains(&ip) {
            out.push(ip);
        }
    }
    Ok(out)
}

/// Whether our nameservers may be sent to `ip` for a zone: never to our
/// own networks, loopback, link-local, multicast or unassigned ranges.
fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || a == 0
                || a >= 240
                // Shared address space of carrier-grade NAT (RFC 6598).
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primaries_are_public_addresses() {
        let ok = primaries(&[
            "203.0.113.5".into(),
            "2001:db8::53".into(),
            "203.0.113.5".into(),
        ]);
        assert_eq!(ok.unwrap().len(), 2);
        for private in [
            "10.0.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
            "::ffff:192.168.1.1",
            "100.64.0.1",
        ] {
            assert!(primaries(&[private.into()]).is_err(), "{private}");
        }
        assert!(primaries(&[]).is_err());
        assert!(primaries(&["ns1.example.com".into()]).is_err());
    }
}
