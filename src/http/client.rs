//! Who is asking, and what they asked for: the client address and the host the request was
//! for, believing `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto` and `Forwarded`
//! only from configured proxies (from anyone else they are whatever the client chose to send).

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The client's address. The TCP peer, unless the peer is a trusted proxy: then the right-most
/// address in X-Forwarded-For that is not itself a trusted proxy (left-most entries are whatever
/// the client chose to send).
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
    let peer = peer(req);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

fn peer(req: &HttpRequest) -> IpAddr {
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// The scheme and host (with its port, if any) the request was addressed to. Through a trusted
/// proxy, what the proxy forwarded; from anyone else, the `Host` header and plain HTTP (flagpole
/// serves no TLS itself). The CSRF Origin check and the demo page's own address rely on it, so
/// a client cannot make either believe it is some other site.
pub fn requested_origin(req: &HttpRequest, trusted: &[IpNet]) -> (String, String) {
    let peer = peer(req);
    if trusted.iter().any(|net| net.contains(&peer)) {
        let info = req.connection_info();
        return (info.scheme().to_string(), info.host().to_string());
    }
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    ("http".to_string(), host)
}

pub fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(512)
        .collect()
}

/// The network an address stands for: an IPv4 address itself, an IPv6 address its /64 (one
/// household or device is typically given a whole /64, and can pick any address in it). Rate
/// limits and the vote cap key by it.
pub fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::from(segments)
            }
        },
    }
}
