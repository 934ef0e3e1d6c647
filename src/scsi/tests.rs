use super::sgio::outcome;
use super::*;

pub(crate) use super::script::{rtpg_page as rtpg_data, vpd83_page as vpd83, vpd83_with_tpg};

#[test]
fn sense_fixed_and_descriptor() {
    let mut fixed = [0u8; 18];
    fixed[0] = 0x70;
    fixed[2] = 0x02;
    fixed[7] = 10;
    fixed[12] = 0x04;
    fixed[13] = 0x0b;
    assert_eq!(Sense::parse(&fixed), Some(Sense::new(2, 4, 0x0b)));
    fixed[0] = 0xf1; // valid bit, deferred error
    assert_eq!(Sense::parse(&fixed), Some(Sense::new(2, 4, 0x0b)));
    assert_eq!(
        Sense::parse(&[0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0]),
        Some(Sense::new(6, 0x29, 0))
    );
    // Short fixed sense: key only.
    assert_eq!(Sense::parse(&[0x70, 0, 0x05]), Some(Sense::new(5, 0, 0)));
    assert_eq!(Sense::parse(&[0x70, 0]), None);
    assert_eq!(Sense::parse(&[]), None);
    assert_eq!(Sense::parse(&[0x7f, 1, 2, 3]), None);
}

#[test]
fn outcome_classifies_status_words() {
    let ua = [0x72, 0x06, 0x29, 0x00];
    assert!(outcome("sda", 0, 0, 0, &[]).is_ok());
    let e = outcome("sda", 2, 0, 0x08, &ua).unwrap_err();
    assert_eq!(e.sense(), Some(Sense::new(6, 0x29, 0)));
    assert!(e.is_transient());
    // Recovered error is success.
    assert!(outcome("sda", 2, 0, 0x08, &[0x72, 0x01, 0x17, 0x01]).is_ok());
    assert!(outcome("sda", 0, 3, 0, &[]).unwrap_err().is_timeout());
    assert!(outcome("sda", 0, 0, 6, &[]).unwrap_err().is_timeout());
    let e = outcome("sda", 0x18, 0, 0, &[]).unwrap_err();
    assert_eq!(e.scsi_status(), Some(status::RESERVATION_CONFLICT));
    assert_eq!(e.to_string(), "sda: SCSI status 0x18");
    let e = outcome("sda", 0, 0x01, 0, &[]).unwrap_err();
    assert_eq!(e.to_string(), "sda: host status 0x1");
    assert!(!e.is_transient());
    assert!(outcome("sda", 0, 0x0e, 0, &[]).unwrap_err().is_transient());
    assert_eq!(
        outcome("sda", 0, 0, 0x04, &[]).unwrap_err().to_string(),
        "sda: driver status 0x4"
    );
    // CHECK CONDITION without usable sense data.
    assert_eq!(
        outcome("sda", 2, 0, 0, &[0x00, 0x01])
            .unwrap_err()
            .to_string(),
        "sda: SCSI status 0x02"
    );
}

#[test]
fn completed_errors_keep_the_status_words_and_sense_bytes() {
    let sense = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x20, 0];
    let e = outcome("sda", 2, 0, 0x08, &sense).unwrap_err();
    let sg = e.sg_status().expect("check condition keeps its status");
    assert_eq!(
        (
            sg.status,
            sg.masked_status(),
            sg.host_status,
            sg.driver_status
        ),
        (2, 1, 0, 8)
    );
    assert_eq!(sg.sense, sense);
    let e = outcome("sda", 0x18, 0, 0, &[]).unwrap_err();
    assert_eq!(e.sg_status().map(SgStatus::masked_status), Some(0x0c));
    let e = outcome("sda", 0, 0x01, 0, &[]).unwrap_err();
    assert_eq!(e.sg_status().map(|s| s.host_status), Some(1));
    assert!(outcome("sda", 0, 3, 0, &[])
        .unwrap_err()
        .sg_status()
        .is_none());
    // The fake's CHECK CONDITION looks like scsi_debug's.
    let fake = FakeScsi::new().inquiry_tpgs("sda", 0);
    let e = fake.data_in("sda", &[0xc0, 0, 0, 0], 8, 1000).unwrap_err();
    let sg = e.sg_status().expect("fake check condition");
    assert_eq!((sg.masked_status(), sg.driver_status), (1, 8));
    assert_eq!(sg.sense, fixed_sense(Sense::new(5, 0x20, 0)));
    assert_eq!(sg.sense.len(), 18);
}

#[test]
fn error_messages_name_the_device() {
    let e = ScsiError::CheckCondition {
        dev: "sda".into(),
        sense: Sense::new(2, 4, 3),
        sg: SgStatus::default(),
    };
    assert_eq!(
        e.to_string(),
        "sda: check condition sense key 0x2 asc 0x4 ascq 0x3"
    );
    assert_eq!(
        ScsiError::Timeout { dev: "sdb".into() }.to_string(),
        "sdb: timeout"
    );
    let e = ScsiError::Ioctl {
        dev: "sdc".into(),
        source: io::Error::from_raw_os_error(nix::libc::ENOTTY),
    };
    assert!(e.to_string().starts_with("sdc: SG_IO failed: "), "{e}");
    assert_eq!(e.errno(), Some(nix::libc::ENOTTY));
}

#[test]
fn vpd83_designators() {
    let page = vpd83_with_tpg(0x1234, 7);
    assert_eq!(vpd83_target_port_group(&page), Some(0x1234));
    assert_eq!(vpd83_relative_port(&page), Some(7));
    // Not a 0x83 page, empty, header only.
    let mut other = page.clone();
    other[1] = 0x80;
    assert_eq!(vpd83_target_port_group(&other), None);
    assert_eq!(vpd83_target_port_group(&[]), None);
    assert_eq!(vpd83_target_port_group(&[0, 0x83, 0, 0]), None);
    // No TPG designator.
    assert_eq!(vpd83_target_port_group(&vpd83(&[(4, &[0, 0, 0, 1])])), None);
    // A designator too short to hold a TPG.
    assert_eq!(vpd83_target_port_group(&vpd83(&[(5, &[0, 1])])), None);
    // Page length larger than the data: parse what is there.
    let mut lying = page.clone();
    lying[2] = 0xff;
    assert_eq!(vpd83_target_port_group(&lying), Some(0x1234));
    // Cut in the middle of the TPG designator.
    assert_eq!(vpd83_target_port_group(&page[..page.len() - 1]), None);
    assert_eq!(vpd83_relative_port(&page[..page.len() - 1]), Some(7));
    // Page length smaller than the data: the rest is ignored.
    let mut short = page.clone();
    short[3] = 20;
    short[2] = 0;
    assert_eq!(vpd83_target_port_group(&short), None);
}

#[test]
fn vpd83_never_panics_on_garbage() {
    let mut seed = 0x2545_f491_u32;
    for len in 0..200 {
        let buf: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        let mut page = buf.clone();
        if page.len() > 1 {
            page[1] = 0x83;
        }
        let _ = vpd83_target_port_group(&page);
        let _ = vpd83_relative_port(&page);
        let _ = parse_rtpg(&buf);
    }
}

#[test]
fn rtpg_descriptors() {
    let d = rtpg_data(&[
        (0, true, 1, &[1, 2]),
        (1, false, 2, &[3]),
        (0xf, false, 3, &[]),
    ]);
    let g = parse_rtpg(&d);
    assert_eq!(g.len(), 3);
    assert_eq!(g[0].id, 1);
    assert_eq!(g[0].state, AluaState::ActiveOptimized);
    assert!(g[0].pref);
    assert_eq!(g[0].ports, vec![1, 2]);
    assert_eq!(g[1].state, AluaState::ActiveNonOptimized);
    assert!(!g[1].pref);
    assert_eq!(g[2].state, AluaState::Transitioning);
    // Truncated inside the second group's port list: its header survives.
    let g = parse_rtpg(&d[..4 + 16 + 10]);
    assert_eq!(g.len(), 2);
    assert_eq!(g[1].id, 2);
    assert!(g[1].ports.is_empty());
    // Header announces less than was sent.
    let mut short = d.clone();
    short[3] = 16;
    assert_eq!(parse_rtpg(&short).len(), 1);
    assert!(parse_rtpg(&[0, 0]).is_empty());
    assert!(parse_rtpg(&[0, 0, 0, 0]).is_empty());
    assert_eq!(AluaState::from_code(0x84), AluaState::LbaDependent);
    assert_eq!(AluaState::from_code(7), AluaState::Reserved(7));
}

#[test]
fn alua_state_names_round_trip() {
    for code in [0u8, 1, 2, 3, 4, 0xe, 0xf] {
        let s = AluaState::from_code(code);
        assert_eq!(AluaState::from_sysfs(s.name()), Some(s));
    }
    assert_eq!(AluaState::from_sysfs("bogus"), None);
    assert_eq!(
        AluaState::from_sysfs("active/optimized\n"),
        Some(AluaState::ActiveOptimized)
    );
}

#[test]
fn inquiry_helpers_over_the_fake() {
    let fake = FakeScsi::new()
        .inquiry_tpgs("sda", 1)
        .inquiry("sdb", vec![0, 0, 0, 0])
        .vpd("sda", 0x83, vpd83_with_tpg(5, 1))
        .vpd("sda", 0xc9, vec![0, 0xc8, 0, 4, 1, 2, 3, 4]);
    assert_eq!(inquiry_tpgs(&fake, "sda", 1000).unwrap(), 1);
    let e = inquiry_tpgs(&fake, "sdb", 1000).unwrap_err();
    assert_eq!(e.to_string(), "sdb: INQUIRY reply of 4 bytes");
    let e = inquiry_tpgs(&fake, "sdz", 1000).unwrap_err();
    assert!(
        e.to_string().starts_with("sdz: cannot open /dev/sdz"),
        "{e}"
    );
    let page = inquiry_vpd(&fake, "sda", 0x83, 255, 1000).unwrap();
    assert_eq!(vpd83_target_port_group(&page), Some(5));
    // Wrong page in the reply.
    let e = inquiry_vpd(&fake, "sda", 0xc9, 255, 1000).unwrap_err();
    assert!(e.to_string().contains("returned page 0xc8"), "{e}");
    // Unscripted page of a scripted opcode: ILLEGAL REQUEST 24/00.
    let e = inquiry_vpd(&fake, "sda", 0x80, 255, 1000).unwrap_err();
    assert_eq!(e.sense(), Some(Sense::new(5, 0x24, 0)));
    // Unscripted opcode: ILLEGAL REQUEST 20/00.
    let e = test_unit_ready(&fake, "sda", 1000).unwrap_err();
    assert_eq!(e.sense(), Some(Sense::new(5, 0x20, 0)));
    assert_eq!(fake.count("sda", opcode::INQUIRY), 4);
}

#[test]
fn fake_sequences_and_device_failures() {
    let fake = FakeScsi::new()
        .tur_fail("sda", FakeFailure::sense(6, 0x29, 0))
        .tur_ok("sda")
        .tur_ok("sdb")
        .fail_device("sdb", FakeFailure::Timeout);
    assert!(test_unit_ready(&fake, "sda", 1).unwrap_err().is_transient());
    assert!(test_unit_ready(&fake, "sda", 1).is_ok());
    assert!(test_unit_ready(&fake, "sda", 1).is_ok());
    assert!(test_unit_ready(&fake, "sdb", 1).unwrap_err().is_timeout());
    assert_eq!(fake.calls().len(), 4);
    // Data is truncated to the allocation length.
    let fake = FakeScsi::new().inquiry("sda", vec![7u8; 96]);
    assert_eq!(inquiry(&fake, "sda", 36, 1).unwrap().len(), 36);
}

#[test]
fn rtpg_asks_again_when_the_reply_is_larger() {
    let groups: Vec<(u8, bool, u16, &[u16])> = (0..300u16)
        .map(|i| (1u8, false, i, &[1u16, 2][..]))
        .collect();
    let data = rtpg_data(&groups);
    assert!(data.len() > 4096);
    let fake = FakeScsi::new().rtpg("sda", data.clone());
    let got = report_target_port_groups(&fake, "sda", 1).unwrap();
    assert_eq!(got.len(), data.len());
    assert_eq!(fake.count("sda", opcode::MAINTENANCE_IN), 2);
    assert_eq!(parse_rtpg(&got).len(), 300);
}

#[test]
fn sgio_reports_open_and_ioctl_failures() {
    let dir = tempfile::tempdir().unwrap();
    let root = crate::SysRoot::new(dir.path());
    let sg = SgIo::new(&root);
    let e = test_unit_ready(&sg, "sda", 1000).unwrap_err();
    assert!(matches!(e, ScsiError::Open { .. }), "{e}");
    assert!(e.to_string().starts_with("sda: cannot open "), "{e}");
    // A regular file is not an SG device: the ioctl fails (ENOTTY).
    std::fs::create_dir_all(dir.path().join("dev")).unwrap();
    std::fs::write(dir.path().join("dev/sda"), b"").unwrap();
    let e = test_unit_ready(&sg, "sda", 1000).unwrap_err();
    assert_eq!(e.errno(), Some(nix::libc::ENOTTY), "{e}");
    assert!(e.to_string().starts_with("sda: SG_IO failed: "), "{e}");
    let e = sg.data_in("sda", &[0u8; 17], 10, 1000).unwrap_err();
    assert!(e.to_string().contains("CDB of 17 bytes"), "{e}");
}

#[test]
fn fake_scripted_from_json() {
    let fake = FakeScsi::from_json(
        r#"{
            "sda": { "tpgs": 1, "tpg": 1,
                     "rtpg": [ { "tpg": 1, "state": "active/optimized", "ports": [1] },
                               { "tpg": 2, "state": "standby", "pref": true } ] },
            "sdb": { "tur": "fail" }
        }"#,
    )
    .unwrap();
    assert_eq!(inquiry_tpgs(&fake, "sda", 1000).unwrap(), 1);
    let page = inquiry_vpd(&fake, "sda", 0x83, 255, 1000).unwrap();
    assert_eq!(vpd83_target_port_group(&page), Some(1));
    assert!(fake
        .no_data("sda", &[opcode::TEST_UNIT_READY, 0, 0, 0, 0, 0], 1000)
        .is_ok());
    assert!(matches!(
        fake.no_data("sdb", &[opcode::TEST_UNIT_READY, 0, 0, 0, 0, 0], 1000),
        Err(ScsiError::CheckCondition { .. })
    ));
    assert_eq!(inquiry_tpgs(&fake, "sdb", 1000).unwrap(), 0);
    assert!(matches!(
        inquiry_tpgs(&fake, "sdc", 1000),
        Err(ScsiError::Open { .. })
    ));
    assert!(FakeScsi::from_json(r#"{"sda": {"tur": "maybe"}}"#).is_err());
    assert!(FakeScsi::from_json(r#"{"sda": {"rtpg": [{"tpg": 1, "state": "x"}]}}"#).is_err());
}
