//! Which paths may be multipathed: blacklist/exceptions and find_multipaths.
