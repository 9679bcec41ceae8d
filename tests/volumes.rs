//! Volume changes as the oracle makes them: by -B records, by tape length
//! and density (reel and cartridge), along a list of outputs, and with the
//! operator's answers.  Library and oracle must agree on every byte,
//! message, question and exit status.

mod common;

use common::{ABIS, Scenario, same_as_oracle_in};

/// Under each interface, library and oracle write the same volumes.
fn vols(name: &str, s: Scenario, at_least: usize) {
    for abi in ABIS {
        let name = format!("{name}-{}", abi.name());
        if let Some(lib) = same_as_oracle_in(abi, &name, &s) {
            assert_eq!(lib.ended.code, Some(0), "{name}: {}", lib.ended.stderr);
            assert!(
                lib.volumes.len() >= at_least,
                "{name}: only {} volumes",
                lib.volumes.len()
            );
            println!(
                "{name}: {} volumes identical to the oracle's",
                lib.volumes.len()
            );
        }
    }
}

#[test]
fn records_per_volume() {
    vols(
        "B1000",
        Scenario::new(&["-b", "10", "-B", "1000", "-N", "260"]).volume_list(14),
        6,
    );
    vols(
        "B333-b32",
        Scenario::new(&["-b", "32", "-B", "333", "-N", "3000", "-M", "3"]).volume_list(40),
        6,
    );
}

#[test]
fn length_and_density() {
    vols(
        "reel",
        Scenario::new(&["-s", "60", "-N", "200"]).volume_list(12),
        5,
    );
    vols(
        "6250bpi",
        Scenario::new(&["-s", "40", "-d", "6250", "-N", "200"]).volume_list(12),
        2,
    );
    vols(
        "cartridge",
        Scenario::new(&["-c", "-s", "60", "-N", "200"]).volume_list(14),
        8,
    );
}

/// One output name: the operator mounts each next volume.
#[test]
fn operator_mounts_volumes() {
    let mut s = Scenario::new(&["-b", "10", "-B", "2000", "-N", "200", "-f", "out.dump"]);
    s.answers = Some("yes\n".repeat(10));
    for abi in ABIS {
        if let Some(lib) = same_as_oracle_in(abi, &format!("mount-{}", abi.name()), &s) {
            assert_eq!(lib.ended.code, Some(0));
            assert!(lib.ended.stderr.contains("Change Volumes: Mount volume #2"));
            assert!(
                lib.ended
                    .stderr
                    .contains("Is the new volume mounted and ready to go?")
            );
        }
    }
}

/// The operator does not mount the next volume, then does abort.
#[test]
fn operator_refuses_the_next_volume() {
    let mut s = Scenario::new(&["-b", "10", "-B", "2000", "-N", "200", "-f", "out.dump"]);
    s.answers = Some("no\nno\nno\nyes\n".into());
    for abi in ABIS {
        if let Some(lib) = same_as_oracle_in(abi, &format!("refuse-{}", abi.name()), &s) {
            assert_eq!(lib.ended.code, Some(3));
            assert_eq!(lib.ended.stderr.matches("Do you want to abort?").count(), 2);
            assert!(lib.ended.stderr.contains("The ENTIRE dump is aborted."));
        }
    }
}

/// Standard output is never split into volumes.
#[test]
fn standard_output_ignores_sizes() {
    let s = Scenario::new(&["-b", "10", "-B", "500", "-N", "200", "-f", "-"]);
    for abi in ABIS {
        if let Some(lib) = same_as_oracle_in(abi, &format!("stdout-B-{}", abi.name()), &s) {
            assert_eq!(lib.ended.code, Some(0));
            assert_eq!(lib.volumes.len(), 1);
        }
    }
}
