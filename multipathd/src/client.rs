//! Clients of the control socket: one-shot commands and the interactive shell.
