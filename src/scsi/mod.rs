//! SCSI commands over SG_IO, behind a transport trait (fake in tests).
