//! A proxy in front of a test server that injects faults (dropped connections, lost
//! answers, stalls, 500/503) and records every request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy)]
pub struct Faults {
    /// Share of requests that get a fault while any are left.
    pub share: f64,
    /// Faults in all; after these the proxy forwards everything (bounded, stops by itself).
    pub max: usize,
    /// Delay before forwarding every request.
    pub delay: Duration,
    /// Requests passed through untouched before faults start.
    pub after: usize,
    /// Every fault is this status answer (instead of a random kind of fault).
    pub only: Option<u16>,
    pub seed: u64,
}

pub const NO_FAULTS: Faults = Faults {
    share: 0.0,
    max: 0,
    delay: Duration::ZERO,
    after: 0,
    only: None,
    seed: 0,
};

pub struct ProxyState {
    pub faults: Faults,
    pub injected: usize,
    pub rng: rand::rngs::StdRng,
    /// "METHOD path" of every request seen.
    pub requests: Vec<String>,
}

pub struct Proxy {
    pub port: u16,
    pub state: Arc<Mutex<ProxyState>>,
    pub _rt: tokio::runtime::Runtime,
}

impl Proxy {
    pub fn start(upstream: u16, faults: Faults) -> Proxy {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(ProxyState {
            faults,
            injected: 0,
            rng: rand::rngs::StdRng::seed_from_u64(faults.seed),
            requests: Vec::new(),
        }));
        let st = state.clone();
        rt.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(proxy_one(client, upstream, st.clone()));
            }
        });
        Proxy {
            port,
            state,
            _rt: rt,
        }
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn injected(&self) -> usize {
        self.state.lock().unwrap().injected
    }
}

pub enum Fault {
    /// Close the connection without an answer.
    Drop,
    /// Answer this status without forwarding.
    Status(u16),
    /// Forward, then close without passing the answer on (the server did it, the client
    /// never heard).
    LoseAnswer,
    /// Wait, then forward.
    Stall(Duration),
}

/// One request per connection: read its head, maybe inject a fault, else forward it with
/// `Connection: close` and pipe both ways until both sides close.
pub async fn proxy_one(mut client: TcpStream, upstream: u16, state: Arc<Mutex<ProxyState>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let request_line = head.lines().next().unwrap_or_default().to_string();
    let (fault, delay) = {
        let mut s = state.lock().unwrap();
        s.requests.push(
            request_line
                .rsplit_once(' ')
                .map(|(r, _)| r.to_string())
                .unwrap_or_default(),
        );
        let f = s.faults;
        let fault =
            if s.requests.len() > f.after && s.injected < f.max && s.rng.random_bool(f.share) {
                s.injected += 1;
                Some(
                    match f.only.map(Fault::Status).ok_or(s.rng.random_range(0..5)) {
                        Ok(fault) => fault,
                        Err(0) => Fault::Drop,
                        Err(1) => Fault::Status(500),
                        Err(2) => Fault::Status(503),
                        Err(3) => Fault::LoseAnswer,
                        Err(_) => Fault::Stall(Duration::from_millis(1500)),
                    },
                )
            } else {
                None
            };
        (fault, f.delay)
    };
    tokio::time::sleep(delay).await;
    match fault {
        Some(Fault::Drop) => return,
        Some(Fault::Status(code)) => {
            let _ = client
                .write_all(
                    format!("HTTP/1.1 {code} Injected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
            return;
        }
        Some(Fault::Stall(d)) => tokio::time::sleep(d).await,
        Some(Fault::LoseAnswer) | None => {}
    }
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    let mut forwarded: String = head
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    forwarded.push_str("Connection: close\r\n\r\n");
    if server.write_all(forwarded.as_bytes()).await.is_err()
        || server.write_all(&buf[head_end..]).await.is_err()
    {
        return;
    }
    if matches!(fault, Some(Fault::LoseAnswer)) {
        // Let the request through entirely, read the answer, and drop it.
        let (mut from_client, mut to_server) = (client, server);
        let (mut sr, mut sw) = to_server.split();
        let up = tokio::io::copy(&mut from_client, &mut sw);
        let mut sink = Vec::new();
        let down = sr.read_to_end(&mut sink);
        tokio::pin!(down);
        let _ = tokio::time::timeout(Duration::from_secs(30), async {
            tokio::select! {
                _ = up => { let _ = (&mut down).await; }
                _ = &mut down => {}
            }
        })
        .await;
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}
