//! Parsers for device replies: VPD page 0x83 designators and REPORT TARGET
//! PORT GROUPS data. Lengths inside the data are never trusted beyond the
//! bytes actually received.

/// ALUA asymmetric access state (SPC-4), as RTPG reports it and as the
/// kernel names it in the sysfs `access_state` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AluaState {
    ActiveOptimized,
    ActiveNonOptimized,
    Standby,
    Unavailable,
    LbaDependent,
    Offline,
    Transitioning,
    /// A code SPC reserves.
    Reserved(u8),
}

impl AluaState {
    /// From the 4-bit code of an RTPG descriptor.
    pub fn from_code(code: u8) -> Self {
        match code & 0x0f {
            0x0 => AluaState::ActiveOptimized,
            0x1 => AluaState::ActiveNonOptimized,
            0x2 => AluaState::Standby,
            0x3 => AluaState::Unavailable,
            0x4 => AluaState::LbaDependent,
            0xe => AluaState::Offline,
            0xf => AluaState::Transitioning,
            c => AluaState::Reserved(c),
        }
    }

    /// From the kernel's `access_state` text (`active/optimized`, ...).
    pub fn from_sysfs(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "active/optimized" => AluaState::ActiveOptimized,
            "active/non-optimized" => AluaState::ActiveNonOptimized,
            "standby" => AluaState::Standby,
            "unavailable" => AluaState::Unavailable,
            "lba-dependent" => AluaState::LbaDependent,
            "offline" => AluaState::Offline,
            "transitioning" => AluaState::Transitioning,
            _ => return None,
        })
    }

    /// The kernel's name for the state.
    pub fn name(self) -> &'static str {
        match self {
            AluaState::ActiveOptimized => "active/optimized",
            AluaState::ActiveNonOptimized => "active/non-optimized",
            AluaState::Standby => "standby",
            AluaState::Unavailable => "unavailable",
            AluaState::LbaDependent => "lba-dependent",
            AluaState::Offline => "offline",
            AluaState::Transitioning => "transitioning",
            AluaState::Reserved(_) => "reserved",
        }
    }
}

/// One target port group descriptor of an RTPG reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPortGroup {
    pub id: u16,
    pub state: AluaState,
    /// The PREF bit: this group is a preferred target port group.
    pub pref: bool,
    /// Status code (0 none, 1 changed by SET TPG, 2 changed implicitly).
    pub status: u8,
    /// Relative target port ids (those that were received in full).
    pub ports: Vec<u16>,
}

/// Target port group descriptors of REPORT TARGET PORT GROUPS data in the
/// length-only header format. A descriptor cut short by the end of the
/// data keeps its state and the ports that were received; an incomplete
/// descriptor header ends the list.
pub fn parse_rtpg(buf: &[u8]) -> Vec<TargetPortGroup> {
    let mut groups = Vec::new();
    if buf.len() < 4 {
        return groups;
    }
    let announced = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    let end = buf.len().min(announced.saturating_add(4));
    let mut off = 4;
    while off + 8 <= end {
        let d = &buf[off..end];
        let count = usize::from(d[7]);
        let ports = d[8..]
            .chunks_exact(4)
            .take(count)
            .map(|p| u16::from_be_bytes([p[2], p[3]]))
            .collect();
        groups.push(TargetPortGroup {
            id: u16::from_be_bytes([d[2], d[3]]),
            state: AluaState::from_code(d[0]),
            pref: d[0] & 0x80 != 0,
            status: d[5],
            ports,
        });
        off += 8 + 4 * count;
    }
    groups
}

/// The designators of a VPD page 0x83 (with its 4-byte header, as INQUIRY
/// returns it and as sysfs `vpd_pg83` holds it): (designator type, value).
fn designators(vpd83: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let body: &[u8] = if vpd83.len() >= 4 && vpd83[1] == 0x83 {
        let len = usize::from(u16::from_be_bytes([vpd83[2], vpd83[3]]));
        &vpd83[4..vpd83.len().min(4 + len)]
    } else {
        &[]
    };
    let mut off = 0;
    std::iter::from_fn(move || {
        let hdr = body.get(off..off + 4)?;
        let len = usize::from(hdr[3]);
        let value = body.get(off + 4..off + 4 + len)?;
        off += 4 + len;
        Some((hdr[1] & 0x0f, value))
    })
}

fn designator_u16(vpd83: &[u8], kind: u8) -> Option<u16> {
    designators(vpd83)
        .find(|(t, v)| *t == kind && v.len() >= 4)
        .map(|(_, v)| u16::from_be_bytes([v[2], v[3]]))
}

/// The target port group id (designator type 5) of a VPD page 0x83.
pub fn vpd83_target_port_group(vpd83: &[u8]) -> Option<u16> {
    designator_u16(vpd83, 5)
}

/// The relative target port id (designator type 4) of a VPD page 0x83.
pub fn vpd83_relative_port(vpd83: &[u8]) -> Option<u16> {
    designator_u16(vpd83, 4)
}

/// The unit serial number of a VPD page 0x80 (with its 4-byte header, as
/// sysfs `vpd_pg80` holds it): the ASCII product serial number, without
/// the trailing blanks and NULs targets pad it with. `None` if the page is
/// not one.
pub fn vpd80_serial(vpd80: &[u8]) -> Option<String> {
    if vpd80.len() < 4 || vpd80[1] != 0x80 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([vpd80[2], vpd80[3]]));
    let body = &vpd80[4..vpd80.len().min(4 + len)];
    let s = String::from_utf8_lossy(body);
    Some(s.trim_end_matches([' ', '\0']).to_string())
}

#[cfg(test)]
mod vpd80_tests {
    use super::vpd80_serial;

    #[test]
    fn serial_from_page_0x80() {
        // scsi_debug's page: "2000" after the header.
        assert_eq!(
            vpd80_serial(&[0, 0x80, 0, 4, b'2', b'0', b'0', b'0']).as_deref(),
            Some("2000")
        );
        // Padded with blanks; the length field is what counts.
        let mut p = vec![0, 0x80, 0, 8];
        p.extend_from_slice(b"AB12    junk");
        assert_eq!(vpd80_serial(&p).as_deref(), Some("AB12"));
        assert_eq!(vpd80_serial(&[0, 0x83, 0, 0]), None);
        assert_eq!(vpd80_serial(&[0, 0x80]), None);
    }
}
