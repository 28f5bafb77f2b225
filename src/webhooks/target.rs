//! Which URLs a webhook may be sent to. A subscription is refused unless its URL is https and
//! every address its host resolves to is public: not loopback, private, link-local, shared
//! (CGNAT), unspecified, multicast or documentation space, which would let whoever can add a
//! webhook make the server post into its own network. `webhooks.allow_private_targets` lifts
//! both rules (a receiver on the same network; tests).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use url::Url;

/// The URL, checked; the error is a sentence for the administrator.
pub fn check(raw: &str, allow_private: bool) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => {
            return Err(
                "must be an https:// URL (http:// only with webhooks.allow_private_targets)".into(),
            )
        }
        other => return Err(format!("must be an https:// URL, not {other}:")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password; the signature authenticates".into());
    }
    let host = url.host_str().ok_or("must name a host")?.to_string();
    if allow_private {
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    // IPv6 literals come bracketed from `host_str`.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    if let Some(ip) = addresses.iter().find(|ip| !is_public(**ip)) {
        return Err(format!(
            "{host} resolves to {ip}, a loopback, private or link-local address (allowed only with webhooks.allow_private_targets)"
        ));
    }
    Ok(url)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 100.64.0.0/10, shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // 0.0.0.0/8 and 240.0.0.0/4.
        || a == 0
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // 2001:db8::/32 documentation.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_plain_http_and_inner_networks() {
        for url in [
            "http://hooks.example.com/x",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://192.168.0.10/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://100.64.0.1/x",
            "https://localhost/x",
            "ftp://example.com/x",
            "not a url",
        ] {
            assert!(check(url, false).is_err(), "{url} was accepted");
        }
    }

    #[test]
    fn accepts_public_https_and_private_when_allowed() {
        assert!(check("https://93.184.215.14/hook", false).is_ok());
        assert!(check("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check("https://user:pw@93.184.215.14/", false).is_err());
    }
}
