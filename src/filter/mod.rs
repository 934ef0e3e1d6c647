//! Which paths may be multipathed: blacklist/exceptions and find_multipaths.
//!
//! - [`Filter`] (built once from a [`Config`](crate::Config)) applies the
//!   `blacklist` / `blacklist_exceptions` rules, the default rules and
//!   `allow_usb_devices` to a device: [`Filter::devnode`] needs only the
//!   kernel name, [`Filter::path`] evaluates everything in upstream's order,
//!   [`Filter::trace`] gives every step for `-v3` logging
//!   ([`Verdict::log_message`]).
//! - [`path_validity`] answers `multipath -c`/`-u` ("claim this device?"),
//!   [`udev_answer`] adds the smart-mode wait and renders the output lines.
//! - [`should_create`] decides, per WWID, whether plain `multipath` (or
//!   multipathd for a new path) sets up a map.
//!
//! Everything here is pure over facts the caller gathers (udev properties,
//! wwids file, failed_wwids markers, existing maps, whether multipathd runs),
//! except the small sysfs/run-directory helpers [`usb_parent`],
//! [`read_stamp`] and [`create_stamp`].

mod blacklist;
mod find;
mod usb;
mod wait;

pub use blacklist::{devnode, path, Candidate, Criterion, Filter, Hit, Verdict, USB_PROTOCOL};
pub use find::{
    effective_timeout, path_validity, path_validity_why, should_create, timeout_for, CreateInput,
    FindMode, Reason, Validity, ValidityInput, DEFAULT_FIND_MULTIPATHS_TIMEOUT,
    UNKNOWN_HARDWARE_TIMEOUT,
};
pub use usb::usb_parent;
pub use wait::{
    create_stamp, read_stamp, stamp_path, udev_answer, StampError, UdevAnswer, Wait,
    FIND_MULTIPATHS_DIR,
};
