//! The control socket server. Each connection is a task; a connection may
//! carry many requests. `show` commands are answered from the published
//! snapshot without asking the owner; others go to the owner with a reply
//! channel and a timeout (`uxsock_timeout`).

use super::{commands, reply_text, CmdError, Msg, Published, Reply};
use crate::cli::{self, Request};
use crate::proto;
use std::os::unix::net::UnixListener as StdListener;
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
