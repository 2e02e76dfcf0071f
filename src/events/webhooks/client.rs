//! The HTTP client deliveries are made with: timeouts, no redirects, no proxy, and a resolver
//! that connects only to the addresses deliveries may go to.

use std::net::SocketAddr;
use std::time::Duration;

use super::DeliveryOptions;
use crate::domain::webhook::reachable;

/// Resolves a host only to the addresses deliveries may go to: a host name that resolves to a
/// private address now (DNS rebinding) is refused at connection time, not only when saved.
struct Guarded {
    allow_private: bool,
}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| reachable(address.ip(), allow_private))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no address deliveries may go to").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The client, built once per dispatcher.
pub(super) fn guarded(options: &DeliveryOptions) -> reqwest::Client {
    let allow_private = options.allow_private;
    // HTTPS through rustls with ring (installed when the server starts; here too for a
    // dispatcher started on its own).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(options.timeout)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("contactflow-webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Guarded { allow_private })
        .build()
        .unwrap_or_else(|error| {
            tracing::error!(%error, "webhook client cannot be built; using the default");
            reqwest::Client::new()
        })
}
