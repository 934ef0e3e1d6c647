//! The control socket server. Each connection is a task; a connection may
//! carry many requests. `show` commands are answered from the published
//! snapshot without asking the owner; others go to the owner with a reply
//! channel and a timeout (`uxsock_timeout`).

use super::{commands, reply_text, CmdError, Msg, Published, Reply};
use crate::cli::{self, Request};
use crate::proto;
use std::os::unix::net::UnixListener as StdListener;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::time::Duration;
use tokio::net::{UnixListener, UnixStream};

/// Serve on `listeners` (inside a tokio runtime context).
pub fn spawn(
    listeners: Vec<StdListener>,
    published: Published,
    tx: Sender<Msg>,
) -> std::io::Result<()> {
    for l in listeners {
        l.set_nonblocking(true)?;
        let l = UnixListener::from_std(l)?;
        let (p, tx) = (published.clone(), tx.clone());
        tokio::spawn(async move {
            loop {
                match l.accept().await {
                    Ok((s, _)) => {
                        tokio::spawn(connection(s, p.clone(), tx.clone()));
                    }
                    Err(e) => {
                        tracing::error!("control socket: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        });
    }
    Ok(())
}

async fn connection(mut s: UnixStream, p: Published, tx: Sender<Msg>) {
    let root = s.peer_cred().map(|c| c.uid() == 0).unwrap_or(false);
    loop {
        let req = match proto::read_request_async(&mut s).await {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => {
                tracing::debug!("control socket: {e}");
                return;
            }
        };
        let reply = answer(&req, root, &p, &tx).await;
        if let Err(e) = proto::write_message_async(&mut s, &reply).await {
            tracing::debug!("control socket: {e}");
            return;
        }
    }
}

fn uxsock_timeout(p: &Published) -> Duration {
    let ms = p.env.borrow().default_int("uxsock_timeout", 4000).max(4000) as u64;
    Duration::from_millis(ms)
}

/// Wait until the snapshot includes every reconfiguration asked for so far
/// (see [`Published::reconf_requested`]), for at most three quarters of
/// `uxsock_timeout`; after that the answer comes from the snapshot there is.
async fn after_reconfigure(p: &Published) {
    let want = p.reconf_requested.load(Ordering::SeqCst);
    if p.state.borrow().reconfigures >= want {
        return;
    }
    let mut rx = p.state.clone();
    let limit = uxsock_timeout(p) * 3 / 4;
    let _ = tokio::time::timeout(limit, rx.wait_for(|s| s.reconfigures >= want)).await;
}

/// The reply text for one request.
pub async fn answer(text: &str, root: bool, p: &Published, tx: &Sender<Msg>) -> String {
    let req = match cli::parse(text) {
        Ok(r) => r,
        Err(e) => return cli::error_reply(text, &e),
    };
    tracing::debug!("cli: {}", text.trim_end());
    if req.needs_root() && !root {
        return CmdError::Permission.reply();
    }
    let r: Reply = if req.is_show() {
        if !matches!(req, Request::ListDaemon) {
            after_reconfigure(p).await;
        }
        let st = p.state.borrow().clone();
        let env = p.env.borrow().clone();
        commands::show(&req, &st, &env, false)
    } else if matches!(req, Request::Quit) {
        Ok(String::new())
    } else {
        let (otx, orx) = tokio::sync::oneshot::channel();
        if tx.send(Msg::Command(req, otx)).is_err() {
            Err(CmdError::Failed)
        } else {
            match tokio::time::timeout(uxsock_timeout(p), orx).await {
                Ok(Ok(r)) => r,
                Ok(Err(_)) => Err(CmdError::Failed),
                Err(_) => Err(CmdError::Timeout),
            }
        }
    };
    reply_text(&r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::Env;
    use crate::model::State;
    use mpath::config::Config;
    use mpath::dm::FakeDm;
    use mpath::scsi::FakeScsi;
    use mpath::SysRoot;
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;
    use tokio::sync::watch;

    fn state(reconfigures: u64, map: &str) -> Arc<State> {
        let mut st = State::new(1, SysRoot::new("/nonexistent"));
        st.reconfigures = reconfigures;
        st.maps.push(crate::format::tests::map(
            map,
            "3600a0b80001",
            0,
            Vec::new(),
        ));
        Arc::new(st)
    }

    /// `reconfigure` then `show maps` from one client: the answer waits for
    /// the snapshot the reconfiguration publishes instead of showing the
    /// names from before it. `show daemon` does not wait.
    #[test]
    fn show_after_reconfigure_sees_its_result() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let env = Env::with(
            SysRoot::new("/nonexistent"),
            Config::default(),
            Arc::new(FakeDm::new()),
            Arc::new(FakeScsi::new()),
            false,
            None,
        );
        let (state_tx, state_rx) = watch::channel(state(0, "mpatha"));
        let (_env_tx, env_rx) = watch::channel(Arc::new(env));
        let p = Published {
            state: state_rx,
            env: env_rx,
            reconf_requested: Arc::new(AtomicU64::new(0)),
        };
        let (tx, _rx) = std::sync::mpsc::channel();
        rt.block_on(async {
            // Nothing asked for: the snapshot is current.
            let r = answer("show maps raw format %n", true, &p, &tx).await;
            assert_eq!(r, "mpatha\n");
            p.reconf_requested.store(1, Ordering::SeqCst);
            let publish = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                state_tx.send_replace(state(1, "3600a0b80001"));
                state_tx
            });
            let d = answer("show daemon", true, &p, &tx).await;
            assert!(d.starts_with("pid 1 "), "{d}");
            assert!(!publish.is_finished(), "show daemon waited");
            let r = answer("show maps raw format %n", true, &p, &tx).await;
            assert_eq!(r, "3600a0b80001\n");
            let _keep = publish.await.unwrap();
        });
    }
}
