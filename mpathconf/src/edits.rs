//! The changes mpathconf makes, expressed on the lossless [`Editor`], and the
//! facts the status report reads back.
//!
//! Every function leaves the text alone when it already says what was asked,
//! so running the same command twice gives the same file.

use conf_parser::edit::{format_value, Editor, KeywordLine, Position};
use conf_parser::Section;

/// The blacklist exception that keeps devices without a SCSI identity or WWN
/// out of multipath.
pub const PROPERTY_EXCEPTION: &str = "(SCSI_IDENT_|ID_WWN)";

/// Blacklist values that mean "every device".
fn is_all(v: Option<&str>) -> bool {
    matches!(v, Some(".*" | "*"))
}

fn is_yes(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "1"))
}

fn is_no(v: Option<&str>) -> bool {
    matches!(v, Some("no" | "0"))
}

/// The first active `keyword` line in `section` whose value satisfies `pred`.
fn find(
    ed: &Editor,
    section: Section,
    keyword: &str,
    pred: impl Fn(Option<&str>) -> bool,
) -> Option<KeywordLine> {
    ed.entries(section, keyword)
        .into_iter()
        .find(|k| pred(k.value.as_deref()))
}

fn find_commented(
    ed: &Editor,
    section: Section,
    keyword: &str,
    pred: impl Fn(Option<&str>) -> bool,
) -> Option<KeywordLine> {
    ed.commented(section, keyword)
        .into_iter()
        .find(|k| pred(k.value.as_deref()))
}

/// Comment out every active `keyword` line in `section` matching `pred`.
/// Returns whether any line was commented out.
fn comment_all(
    ed: &mut Editor,
    section: Section,
    keyword: &str,
    pred: impl Fn(Option<&str>) -> bool,
) -> bool {
    let mut any = false;
    while let Some(k) = find(ed, section, keyword, &pred) {
        ed.comment_out(k.line);
        any = true;
    }
    any
}

/// Make sure an active `keyword ".*"` line exists in `section`: uncomment a
/// commented-out one if there is one, else add it at the top.
fn ensure_all(ed: &mut Editor, section: Section, keyword: &str) {
    if find(ed, section, keyword, is_all).is_some() {
        return;
    }
    if let Some(c) = find_commented(ed, section, keyword, is_all) {
        ed.uncomment(c.line, c.section_line);
        if c.value.as_deref() != Some(".*") {
            ed.set_value(c.line, ".*", true);
        }
        return;
    }
    let s = ed.section_or_append(section);
    ed.insert_entry(s, keyword, "\".*\"", Position::First);
}

/// Set every active `keyword` line in defaults whose value satisfies `change`
/// to `value`; add the keyword at the end of defaults if it is not there and
/// `add` is set.
fn set_default(
    ed: &mut Editor,
    keyword: &str,
    value: &str,
    quote: bool,
    add: bool,
    change: impl Fn(Option<&str>) -> bool,
) {
    let lines = ed.entries(Section::Defaults, keyword);
    if lines.is_empty() {
        if add {
            let s = ed.section_or_append(Section::Defaults);
            ed.insert_entry(s, keyword, &format_value(value, quote), Position::Last);
        }
        return;
    }
    for k in lines {
        if change(k.value.as_deref()) {
            ed.set_value(k.line, value, quote);
        }
    }
}

/// `--enable`: comment out the blacklist entries that disable everything
/// (`devnode ".*"` from --disable and `wwid ".*"` from --allow); when a
/// `wwid ".*"` was active, its `wwid` exceptions go too.
pub fn enable(ed: &mut Editor) {
    comment_all(ed, Section::Blacklist, "devnode", is_all);
    if comment_all(ed, Section::Blacklist, "wwid", is_all) {
        delete_exception_wwids(ed);
    }
}

/// `--disable`: an active `devnode ".*"` at the top of the blacklist.
pub fn disable(ed: &mut Editor) {
    ensure_all(ed, Section::Blacklist, "devnode");
}

fn delete_exception_wwids(ed: &mut Editor) {
    while let Some(k) = ed.entries(Section::BlacklistExceptions, "wwid").first() {
        ed.delete_line(k.line);
    }
}

/// `--allow`: blacklist every WWID but `wwids`.
pub fn allow(ed: &mut Editor, wwids: &[String]) {
    comment_all(ed, Section::Blacklist, "devnode", is_all);
    ensure_all(ed, Section::Blacklist, "wwid");
    delete_exception_wwids(ed);
    let s = ed.section_or_append(Section::BlacklistExceptions);
    for w in wwids {
        ed.insert_entry(s, "wwid", &format_value(w, true), Position::Last);
    }
}

pub fn user_friendly_names(ed: &mut Editor, on: bool) {
    if on {
        set_default(ed, "user_friendly_names", "yes", false, true, is_no);
    } else {
        set_default(ed, "user_friendly_names", "no", false, false, is_yes);
    }
}

pub fn recheck_wwid(ed: &mut Editor, on: bool) {
    if on {
        set_default(ed, "recheck_wwid", "yes", false, true, is_no);
    } else {
        set_default(ed, "recheck_wwid", "no", false, false, is_yes);
    }
}

pub fn find_multipaths(ed: &mut Editor, value: &str) {
    set_default(ed, "find_multipaths", value, false, true, |v| {
        v != Some(value)
    });
}

/// `--property_blacklist`: the default property exception on or off.
pub fn property_blacklist(ed: &mut Editor, on: bool) {
    let is_default = |v: Option<&str>| v == Some(PROPERTY_EXCEPTION);
    if !on {
        comment_all(ed, Section::BlacklistExceptions, "property", is_default);
        return;
    }
    if find(ed, Section::BlacklistExceptions, "property", is_default).is_some() {
        return;
    }
    if let Some(c) = find_commented(ed, Section::BlacklistExceptions, "property", is_default) {
        ed.uncomment(c.line, c.section_line);
        return;
    }
    let s = ed.section_or_append(Section::BlacklistExceptions);
    ed.insert_entry(
        s,
        "property",
        &format_value(PROPERTY_EXCEPTION, true),
        Position::First,
    );
}

/// enable_foreign values that show no foreign devices.
fn shows_none(v: Option<&str>) -> bool {
    matches!(v, Some("^$" | "NONE"))
}

/// `--enable_foreign`: `enable_foreign ".*"` in defaults, or comment it out.
pub fn enable_foreign(ed: &mut Editor, on: bool) {
    if !on {
        comment_all(ed, Section::Defaults, "enable_foreign", |v| !shows_none(v));
        return;
    }
    if ed.entries(Section::Defaults, "enable_foreign").is_empty() {
        if let Some(c) = ed.commented(Section::Defaults, "enable_foreign").pop() {
            ed.uncomment(c.line, c.section_line);
        }
    }
    set_default(ed, "enable_foreign", ".*", true, true, |v| v != Some(".*"));
}

/// `--option name:value`: set (or with an empty value, delete) a defaults keyword.
pub fn option(ed: &mut Editor, name: &str, value: &str) {
    if value.is_empty() {
        while let Some(k) = ed.entries(Section::Defaults, name).first() {
            ed.delete_line(k.line);
        }
    } else {
        set_default(ed, name, value, false, true, |v| v != Some(value));
    }
}

/// What the status report says about the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    pub find_multipaths: String,
    pub user_friendly_names: bool,
    pub recheck_wwid: bool,
    pub property_blacklist: bool,
    /// The active enable_foreign value, if any.
    pub enable_foreign: Option<String>,
}

/// The value of the last active `keyword` in defaults (the one that wins).
fn default_value(ed: &Editor, keyword: &str) -> Option<String> {
    ed.entries(Section::Defaults, keyword)
        .pop()
        .and_then(|k| k.value)
}

pub fn status(ed: &Editor) -> Status {
    Status {
        enabled: find(ed, Section::Blacklist, "devnode", is_all).is_none(),
        find_multipaths: default_value(ed, "find_multipaths").unwrap_or_else(|| "no".into()),
        user_friendly_names: is_yes(default_value(ed, "user_friendly_names").as_deref()),
        recheck_wwid: is_yes(default_value(ed, "recheck_wwid").as_deref()),
        property_blacklist: find(ed, Section::BlacklistExceptions, "property", |v| {
            v == Some(PROPERTY_EXCEPTION)
        })
        .is_some(),
        enable_foreign: default_value(ed, "enable_foreign"),
    }
}

impl Status {
    /// The report lines about the configuration (module and daemon lines are
    /// added by the caller).
    pub fn lines(&self) -> Vec<String> {
        let able = |b: bool| if b { "enabled" } else { "disabled" };
        let foreign = match self.enable_foreign.as_deref() {
            None => "enable_foreign is not set (no foreign multipath devices will be shown)",
            Some(".*") => "enable_foreign is set (all foreign multipath devices will be shown)",
            Some("^$" | "NONE") => {
                "enable_foreign is set (no foreign multipath devices will be shown)"
            }
            Some(_) => "enable_foreign is set (foreign multipath devices may not be shown)",
        };
        vec![
            format!("multipath is {}", able(self.enabled)),
            format!("find_multipaths is {}", self.find_multipaths),
            format!("user_friendly_names is {}", able(self.user_friendly_names)),
            format!("recheck_wwid is {}", able(self.recheck_wwid)),
            format!(
                "default property blacklist is {}",
                able(self.property_blacklist)
            ),
            foreign.to_string(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, f: impl Fn(&mut Editor)) -> String {
        let mut ed = Editor::new("t", text);
        f(&mut ed);
        let once = ed.text();
        f(&mut ed);
        assert_eq!(ed.text(), once, "not idempotent");
        once
    }

    #[test]
    fn enable_disable() {
        let t = "blacklist {\n\tdevnode \".*\"\n\tdevnode \"^hd\"\n}\n";
        assert_eq!(
            run(t, enable),
            "blacklist {\n#\tdevnode \".*\"\n\tdevnode \"^hd\"\n}\n"
        );
        assert_eq!(run(&run(t, enable), disable), t);
        assert_eq!(
            run("defaults {\n}\n", disable),
            "defaults {\n}\n\nblacklist {\n\tdevnode \".*\"\n}\n"
        );
        // An old-style "*" is uncommented as ".*".
        assert_eq!(
            run("blacklist {\n#devnode \"*\"\n}\n", disable),
            "blacklist {\n\tdevnode \".*\"\n}\n"
        );
    }

    #[test]
    fn allow_then_enable() {
        let t = "blacklist {\n}\nblacklist_exceptions {\n  property \"x\"\n  wwid old\n}\n";
        let a = run(t, |e| allow(e, &["3600a".into(), "3600b".into()]));
        assert_eq!(
            a,
            "blacklist {\n\twwid \".*\"\n}\nblacklist_exceptions {\n  property \"x\"\n  wwid \"3600a\"\n  wwid \"3600b\"\n}\n"
        );
        assert_eq!(
            run(&a, enable),
            "blacklist {\n#\twwid \".*\"\n}\nblacklist_exceptions {\n  property \"x\"\n}\n"
        );
    }

    #[test]
    fn defaults_values() {
        let t = "defaults {\n    user_friendly_names no # admin\n}\n";
        assert_eq!(
            run(t, |e| user_friendly_names(e, true)),
            "defaults {\n    user_friendly_names yes # admin\n}\n"
        );
        assert_eq!(run(t, |e| user_friendly_names(e, false)), t);
        assert_eq!(run(t, |e| recheck_wwid(e, false)), t);
        assert_eq!(
            run(t, |e| find_multipaths(e, "greedy")),
            "defaults {\n    user_friendly_names no # admin\n    find_multipaths greedy\n}\n"
        );
        assert_eq!(
            run(t, |e| option(e, "path_selector", "queue-length 0")),
            "defaults {\n    user_friendly_names no # admin\n    path_selector \"queue-length 0\"\n}\n"
        );
        assert_eq!(
            run(t, |e| option(e, "user_friendly_names", "")),
            "defaults {\n}\n"
        );
    }

    #[test]
    fn foreign_and_property() {
        let t = "defaults {\n#\tenable_foreign \"^$\"\n}\n";
        let y = run(t, |e| enable_foreign(e, true));
        assert_eq!(y, "defaults {\n\tenable_foreign \".*\"\n}\n");
        assert_eq!(
            run(&y, |e| enable_foreign(e, false)),
            "defaults {\n#\tenable_foreign \".*\"\n}\n"
        );
        let p = run("", |e| property_blacklist(e, true));
        assert_eq!(
            p,
            "blacklist_exceptions {\n\tproperty \"(SCSI_IDENT_|ID_WWN)\"\n}\n"
        );
        assert!(status(&Editor::new("t", &p)).property_blacklist);
        assert_eq!(
            run(&p, |e| property_blacklist(e, false)),
            "blacklist_exceptions {\n#\tproperty \"(SCSI_IDENT_|ID_WWN)\"\n}\n"
        );
    }
}
