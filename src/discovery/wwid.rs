//! WWIDs from the kernel's `device/wwid` attribute (its rendering of the best
//! VPD page 0x83 designator), in the form upstream uses.

/// `naa.6001405...` -> `36001405...`; `eui.0123...` -> `20123...`;
/// `t10.VENDOR  PRODUCT` -> `1VENDOR_PRODUCT` (runs of spaces become one `_`);
/// `name.` (SCSI name string) -> `8...`. Hex is lowercased.
pub fn wwid_from_sysfs_designator(d: &str) -> Option<String> {
    let d = d.trim();
    let (kind, rest) = d.split_once('.')?;
    if rest.is_empty() {
        return None;
    }
    Some(match kind {
        "naa" => format!("3{}", rest.to_ascii_lowercase()),
        "eui" => format!("2{}", rest.to_ascii_lowercase()),
        "t10" => {
            let mut out = String::from("1");
            let mut prev_space = false;
            for c in rest.trim_end().chars() {
                if c == ' ' {
                    if !prev_space {
                        out.push('_');
                    }
                    prev_space = true;
                } else {
                    out.push(c);
                    prev_space = false;
                }
            }
            out
        }
        "name" => format!("8{rest}"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designators() {
        assert_eq!(
            wwid_from_sysfs_designator("naa.6001405ABCdef\n").as_deref(),
            Some("36001405abcdef")
        );
        assert_eq!(
            wwid_from_sysfs_designator("eui.0011AA").as_deref(),
            Some("20011aa")
        );
        assert_eq!(
            wwid_from_sysfs_designator("t10.LIO-ORG  disk   1234  ").as_deref(),
            Some("1LIO-ORG_disk_1234")
        );
        assert_eq!(wwid_from_sysfs_designator("garbage"), None);
        assert_eq!(wwid_from_sysfs_designator("naa."), None);
    }
}
