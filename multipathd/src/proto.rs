//! The control socket: where it lives and how messages are framed.
