//! A [`FakeScsi`] scripted from a JSON file, and the builders of the
//! pages it answers with (standard INQUIRY, VPD 0x83, REPORT TARGET PORT
//! GROUPS).
//!
//! The file maps device names to what the device answers; a device not in
//! it cannot be opened, as with no script at all:
//!
//! ```json
//! {
//!   "sda": { "tur": "ok", "tpgs": 1, "tpg": 1, "port": 1,
//!            "rtpg": [ { "tpg": 1, "state": "active/optimized", "ports": [1] },
//!                      { "tpg": 2, "state": "active/non-optimized", "ports": [2] } ] },
//!   "sdb": { "tur": "fail" }
//! }
//! ```
//!
//! Every field may be left out. `tur`: `ok` (the default), `fail` (NOT
//! READY 04/00: the tur checker says `down`) or `unit-attention`. `vendor`
//! and `product` fill the standard INQUIRY data (defaults `Linux`,
//! `scsi_debug`) and `tpgs` its TPGS bits (default 0: no ALUA). `tpg` adds
//! a target port group designator (and `port`, default 1, a relative port
//! designator) to VPD page 0x83; `rtpg` is the REPORT TARGET PORT GROUPS
//! reply, one descriptor per group, states named as in sysfs
//! `access_state`, `pref` for the preferred bit.

use super::{sense_key, standard_inquiry, AluaState, FakeFailure, FakeScsi};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceScript {
    #[serde(default)]
    tur: Option<String>,
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    tpgs: u8,
    #[serde(default)]
    tpg: Option<u16>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    rtpg: Option<Vec<GroupScript>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupScript {
    tpg: u16,
    state: String,
    #[serde(default)]
    pref: bool,
    #[serde(default)]
    ports: Vec<u16>,
}

/// The ALUA state code of an `access_state` name.
fn state_code(name: &str) -> Option<u8> {
    Some(match AluaState::from_sysfs(name)? {
        AluaState::ActiveOptimized => 0x0,
        AluaState::ActiveNonOptimized => 0x1,
        AluaState::Standby => 0x2,
        AluaState::Unavailable => 0x3,
        AluaState::LbaDependent => 0x4,
        AluaState::Offline => 0xe,
        AluaState::Transitioning => 0xf,
        AluaState::Reserved(c) => c,
    })
}

impl FakeScsi {
    /// A fake scripted by JSON `text` (see the module documentation).
    pub fn from_json(text: &str) -> Result<FakeScsi, String> {
        let devices: BTreeMap<String, DeviceScript> =
            serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut fake = FakeScsi::new();
        for (dev, d) in devices {
            fake = match d.tur.as_deref().unwrap_or("ok") {
                "ok" => fake.tur_ok(&dev),
                "fail" => fake.tur_fail(&dev, FakeFailure::sense(sense_key::NOT_READY, 0x04, 0x00)),
                "unit-attention" => fake.tur_fail(
                    &dev,
                    FakeFailure::sense(sense_key::UNIT_ATTENTION, 0x29, 0x00),
                ),
                other => return Err(format!("{dev}: unknown tur reply {other}")),
            };
            fake = fake.inquiry(
                &dev,
                standard_inquiry(
                    d.vendor.as_deref().unwrap_or("Linux"),
                    d.product.as_deref().unwrap_or("scsi_debug"),
                    d.tpgs,
                ),
            );
            if let Some(tpg) = d.tpg {
                fake = fake.vpd(&dev, 0x83, vpd83_with_tpg(tpg, d.port.unwrap_or(1)));
            }
            if let Some(groups) = &d.rtpg {
                let mut descs = Vec::new();
                for g in groups {
                    let code = state_code(&g.state)
                        .ok_or_else(|| format!("{dev}: unknown ALUA state {}", g.state))?;
                    descs.push((code, g.pref, g.tpg, g.ports.as_slice()));
                }
                fake = fake.rtpg(&dev, rtpg_page(&descs));
            }
        }
        Ok(fake)
    }

    /// A fake scripted by a JSON file.
    pub fn load_file(path: &Path) -> Result<FakeScsi, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        FakeScsi::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A VPD 0x83 page with the given designators (type, value), each with
/// code set binary and association "target port".
pub fn vpd83_page(designators: &[(u8, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (kind, value) in designators {
        body.extend_from_slice(&[0x61, 0x10 | kind, 0, value.len() as u8]);
        body.extend_from_slice(value);
    }
    let mut page = vec![0, 0x83];
    page.extend_from_slice(&(body.len() as u16).to_be_bytes());
    page.extend(body);
    page
}

/// A VPD 0x83 page with an NAA designator, a relative port and a target
/// port group.
pub fn vpd83_with_tpg(tpg: u16, port: u16) -> Vec<u8> {
    let naa: &[u8] = &[
        0x60, 0x0a, 0x09, 0x80, 0x38, 0x30, 0x36, 0x34, 0, 0, 0, 0, 0, 0, 0, 1,
    ];
    let [ph, pl] = port.to_be_bytes();
    let [th, tl] = tpg.to_be_bytes();
    vpd83_page(&[(3, naa), (4, &[0, 0, ph, pl]), (5, &[0, 0, th, tl])])
}

/// REPORT TARGET PORT GROUPS data: one descriptor per (state code,
/// preferred, group id, relative ports).
pub fn rtpg_page(groups: &[(u8, bool, u16, &[u16])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (state, pref, id, ports) in groups {
        body.push(state | if *pref { 0x80 } else { 0 });
        body.push(0x8f);
        body.extend_from_slice(&id.to_be_bytes());
        body.extend_from_slice(&[0, 2, 0, ports.len() as u8]);
        for p in *ports {
            body.extend_from_slice(&[0, 0]);
            body.extend_from_slice(&p.to_be_bytes());
        }
    }
    let mut d = (body.len() as u32).to_be_bytes().to_vec();
    d.extend(body);
    d
}
