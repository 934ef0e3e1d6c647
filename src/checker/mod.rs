//! Path checkers: is a path usable (tur, directio, none, ...).
