//! A secondary zone's primary servers, as a customer names them: addresses
//! our nameservers may be sent to for a zone transfer, so never our own
//! networks or ones that reach nothing public.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
/// own networks, loopback, link-local, multicast or unassigned ranges, nor
/// to an IPv6 address that carries one of those IPv4 addresses (IPv4-
/// compatible, mapped or translated, 6to4, NAT64), nor through Teredo or
/// a local NAT64 prefix, whose IPv4 end cannot be told (RFC 6890).
fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match carried_v4(v6) {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_broadcast()
        || v4.is_unspecified()
        || a == 0
        || a >= 240
        // Shared address space of carrier-grade NAT (RFC 6598).
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments (RFC 6890) and benchmarking (RFC 2544).
        || (a, b, c) == (192, 0, 0)
        || (a == 198 && (b == 18 || b == 19)))
}

fn public_v6(v6: Ipv6Addr) -> bool {
    let [first, second, ..] = v6.segments();
    !(v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Teredo (RFC 4380) and the local-use NAT64 prefix (RFC 8215).
        || (first, second) == (0x2001, 0)
        || (first, second) == (0x64, 0xff9b) && v6.segments()[2] == 1)
}

/// The IPv4 address an IPv6 address stands for, where it carries one.
fn carried_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let last = |hi: u16, lo: u16| Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    match s {
        // IPv4-compatible and IPv4-mapped (RFC 4291), IPv4-translated (RFC 2765).
        [0, 0, 0, 0, 0, 0 | 0xffff, hi, lo] | [0, 0, 0, 0, 0xffff, 0, hi, lo] => last(hi, lo),
        // The well-known NAT64 prefix (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => last(hi, lo),
        // 6to4 (RFC 3056).
        [0x2002, hi, lo, ..] => last(hi, lo),
        _ => None,
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
            "::127.0.0.1",
            "::ffff:0:7f00:1",
            "2002:a9fe:a9fe::1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a00:1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "192.0.0.1",
            "198.18.0.1",
            "100.64.0.1",
        ] {
            assert!(primaries(&[private.into()]).is_err(), "{private}");
        }
        assert!(
            primaries(&["2002:cb00:7105::1".into()]).is_ok(),
            "6to4 of 203.0.113.5"
        );
        assert!(primaries(&[]).is_err());
        assert!(primaries(&["ns1.example.com".into()]).is_err());
    }
}
