//! The ceremony from the command line, as participants run it: phase 1 (two
//! participants), phase 2 for the vaccination statement (two participants), keys that
//! prove and verify, `key verify` against the transcripts, and refusals of keys and
//! files that are not the transcript's.

mod common;

use common::{fails, flow, ok, prove_args, verify_args};

#[test]
fn a_ceremony_from_the_command_line() {
    let mut f = flow(40);
    let dir = f.dir.path().to_path_buf();
    let d = dir.as_path();
    ok(d, &["ceremony", "phase1", "new", "--power", "12", "--out", "p1-0.mzkc"]);
    // Nothing is replaced silently.
    fails(d, &["ceremony", "phase1", "new", "--power", "12", "--out", "p1-0.mzkc"], 2);
    let mut hashes = Vec::new();
    for (i, name) in ["Oslo University Hospital", "Folkehelseinstituttet"].iter().enumerate() {
        let (from, to) = (format!("p1-{i}.mzkc"), format!("p1-{}.mzkc", i + 1));
        let mut args = vec!["ceremony", "phase1", "contribute", "--in", &from, "--out", &to, "--name", name];
        if i == 1 {
            args.extend(["--entropy", "typed by hand"]);
        }
        let out = ok(d, &args);
        assert!(out.starts_with(&format!("contribution {} hash ", i + 1)), "{out}");
        hashes.push(out.split_whitespace().nth(3).unwrap().to_string());
    }
    let report: serde_json::Value =
        serde_json::from_str(&ok(d, &["--json", "ceremony", "phase1", "verify", "--in", "p1-2.mzkc"]))
            .unwrap();
    let listed: Vec<&str> =
        report["contributions"].as_array().unwrap().iter().map(|c| c["hash"].as_str().unwrap()).collect();
    assert_eq!(listed, hashes);

    ok(
        d,
        &[
            "ceremony",
            "phase2",
            "new",
            "--phase1",
            "p1-2.mzkc",
            "--statement",
            "vaccination",
            "--depth",
            "8",
            "--out",
            "v-0.mzkc",
        ],
    );
    for i in 0..2 {
        let (from, to, name) =
            (format!("v-{i}.mzkc"), format!("v-{}.mzkc", i + 1), format!("participant {i}"));
        ok(d, &["ceremony", "phase2", "contribute", "--in", &from, "--out", &to, "--name", &name]);
    }
    let verified = ok(d, &["ceremony", "phase2", "verify", "--phase1", "p1-2.mzkc", "--in", "v-2.mzkc"]);
    assert!(verified.contains("verified: 2 contribution(s)"), "{verified}");
    let keys: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            "--json",
            "ceremony",
            "phase2",
            "finalize",
            "--phase1",
            "p1-2.mzkc",
            "--in",
            "v-2.mzkc",
            "--pk",
            "c.pk",
            "--vk",
            "c.vk",
        ],
    ))
    .unwrap();
    let vk_hash = keys["vk_hash"].as_str().unwrap().to_string();
    let transcript = keys["transcript_hash"].as_str().unwrap().to_string();
    let checked = ok(
        d,
        &[
            "key",
            "verify",
            "--pk",
            "c.pk",
            "--vk",
            "c.vk",
            "--phase1",
            "p1-2.mzkc",
            "--transcript",
            "v-2.mzkc",
        ],
    );
    assert!(checked.contains(&transcript), "{checked}");
    let inspected: serde_json::Value =
        serde_json::from_str(&ok(d, &["inspect", "key", "--vk", "c.vk"])).unwrap();
    assert_eq!(inspected["transcript_hash"], transcript.as_str());
    assert_eq!(inspected["origin"], "ceremony");

    // The development keys of the flow are not the transcript's.
    let err = fails(
        d,
        &[
            "key",
            "verify",
            "--pk",
            "v.pk",
            "--vk",
            "v.vk",
            "--phase1",
            "p1-2.mzkc",
            "--transcript",
            "v-2.mzkc",
        ],
        1,
    );
    assert!(err.contains("no transcript"), "{err}");
    // Keys of an earlier state of the transcript are not its final keys.
    let err = fails(
        d,
        &[
            "key",
            "verify",
            "--pk",
            "c.pk",
            "--vk",
            "c.vk",
            "--phase1",
            "p1-2.mzkc",
            "--transcript",
            "v-1.mzkc",
        ],
        1,
    );
    assert!(err.contains("records transcript"), "{err}");
    // A phase-2 file for another phase 1, and a damaged file.
    let err = fails(d, &["ceremony", "phase2", "verify", "--phase1", "p1-1.mzkc", "--in", "v-2.mzkc"], 2);
    assert!(err.contains("another phase-1 transcript"), "{err}");
    let mut damaged = std::fs::read(d.join("v-2.mzkc")).unwrap();
    let at = damaged.len() / 3;
    damaged[at] ^= 0x40;
    std::fs::write(d.join("bad.mzkc"), damaged).unwrap();
    let err = fails(d, &["ceremony", "phase2", "verify", "--phase1", "p1-2.mzkc", "--in", "bad.mzkc"], 2);
    assert!(err.contains("digest"), "{err}");

    // The ceremony's keys prove and verify.
    std::fs::copy(d.join("c.pk"), d.join("v.pk")).unwrap();
    std::fs::copy(d.join("c.vk"), d.join("v.vk")).unwrap();
    f.vk_hash = vk_hash;
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    assert!(ok(d, &verify_args(&f.nonce, "p.bin")).starts_with("ACCEPTED"));
}
