//! Block-device uevents from udev, turned into owned values on a thread of
//! their own (the udev monitor is not `Send`) and passed to the owner.
//!
//! Only events udev has finished with are used (its database then holds the
//! properties the WWID comes from): paths `sd*` added, changed and removed,
//! and changes of `dm-*` devices (the kernel signals failed or reinstated
//! paths of a multipath map that way).

use super::Msg;
use std::sync::mpsc::Sender;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Add,
    Change,
    Remove,
    Other(String),
}

/// One event, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uevent {
    pub action: Action,
    /// Kernel name: `sdb`, `dm-0`.
    pub name: String,
    /// `major:minor`, when the event has one.
    pub dev_t: Option<String>,
    /// `DM_ACTION` of a dm event (`PATH_FAILED`, `PATH_REINSTATED`).
    pub dm_action: Option<String>,
}

impl Uevent {
    pub fn is_path(&self) -> bool {
        self.name.starts_with("sd")
    }

    pub fn is_dm(&self) -> bool {
        self.name.starts_with("dm-")
    }
}

fn convert(e: &udev::Event) -> Option<Uevent> {
    let name = e.sysname().to_str()?.to_string();
    if !(name.starts_with("sd") || name.starts_with("dm-")) {
        return None;
    }
    if e.devtype().is_some_and(|t| t != "disk") {
        return None;
    }
    let action = match e.action().and_then(|a| a.to_str()) {
        Some("add") => Action::Add,
        Some("change") => Action::Change,
        Some("remove") => Action::Remove,
        Some(a) => Action::Other(a.to_string()),
        None => return None,
    };
    let dev_t = e
        .devnum()
        .map(|d| format!("{}:{}", nix::sys::stat::major(d), nix::sys::stat::minor(d)));
    let dm_action = e
        .property_value("DM_ACTION")
        .and_then(|v| v.to_str())
        .map(str::to_string);
    Some(Uevent {
        action,
        name,
        dev_t,
        dm_action,
    })
}

/// Start listening; events go to `tx` until it is closed. Fails when the
/// udev monitor cannot be created (the daemon then runs without uevents and
/// says so).
pub fn start(tx: Sender<Msg>) -> std::io::Result<()> {
    // The socket is not Send: it is made on the thread that reads it, which
    // reports back whether that worked.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("uevents".into())
        .spawn(move || {
            let socket = match udev::MonitorBuilder::new()
                .and_then(|b| b.match_subsystem_devtype("block", "disk"))
                .and_then(|b| b.listen())
            {
                Ok(s) => {
                    let _ = ready_tx.send(Ok(()));
                    s
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
            use std::os::fd::AsFd;
            loop {
                let mut fds = [PollFd::new(socket.as_fd(), PollFlags::POLLIN)];
                match poll(&mut fds, PollTimeout::NONE) {
                    Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                    Err(e) => {
                        tracing::error!("uevent monitor: {e}");
                        return;
                    }
                }
                for e in socket.iter() {
                    if let Some(u) = convert(&e) {
                        tracing::debug!(dev = %u.name, "uevent {:?}", u.action);
                        if tx.send(Msg::Uevent(u)).is_err() {
                            return;
                        }
                    }
                }
            }
        })?;
    ready_rx
        .recv()
        .unwrap_or_else(|_| Err(std::io::Error::other("uevent thread ended")))
}
