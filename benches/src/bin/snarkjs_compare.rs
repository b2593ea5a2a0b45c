//! The medzk side of `scripts/compare-snarkjs.sh`.
//!
//! Writes, into the directory given as the first argument:
//! - `vaccination.circom`: the vaccination statement at depth 32 in circom over the
//!   BLS12-381 scalar field — the same relation, the same Poseidon instances (constants
//!   and MDS matrices generated from medzk's own parameters), the same domain tags, the
//!   same 4-ary tree and range checks — so that a witness for medzk is one for circom;
//! - `input.json`: that witness, from the benches' fixture;
//! - `medzk.json`: medzk's prove (without and with window tables) and verify medians
//!   for the same witness, measured now.
//!
//! The circuit is written by this program rather than kept as a file so that it cannot
//! drift from medzk's parameters.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use medzk_benches::{NONCE, VERIFIER, VaccinationBench};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::DATE_BIAS;
use medzk_circuits::field::Fr;
use medzk_circuits::poseidon::{FULL_ROUNDS, Poseidon};
use medzk_circuits::record::{RecordKind, Slot};
use medzk_circuits::tags;
use medzk_circuits::tree::Depth;
use merlin::Transcript;

fn dec(x: &Fr) -> String {
    x.to_string()
}

fn matrix(rows: &[Vec<Fr>]) -> String {
    let rows: Vec<String> =
        rows.iter().map(|r| format!("[{}]", r.iter().map(dec).collect::<Vec<_>>().join(","))).collect();
    format!("[{}]", rows.join(",\n    "))
}

/// A permutation template per width: S-boxes on every lane in full rounds and on lane
/// 0 in partial rounds, round constants added before the S-boxes, then the MDS mix.
fn permutation(p: &Poseidon) -> String {
    let (t, rounds) = (p.width(), p.rounds());
    let half = FULL_ROUNDS / 2;
    let partial = p.partial_rounds();
    format!(
        r#"
template Permute{t}() {{
    signal input in[{t}];
    signal output out[{t}];
    var C[{rounds}][{t}] = {c};
    var M[{t}][{t}] = {m};
    component sb[{rounds}][{t}];
    signal st[{rounds} + 1][{t}];
    for (var i = 0; i < {t}; i++) {{ st[0][i] <== in[i]; }}
    for (var r = 0; r < {rounds}; r++) {{
        var full = (r < {half}) || (r >= {half} + {partial});
        for (var i = 0; i < {t}; i++) {{
            if (full || i == 0) {{
                sb[r][i] = Sbox();
                sb[r][i].in <== st[r][i] + C[r][i];
            }}
        }}
        for (var i = 0; i < {t}; i++) {{
            var acc = 0;
            for (var j = 0; j < {t}; j++) {{
                if (full || j == 0) {{ acc += M[i][j] * sb[r][j].out; }} else {{ acc += M[i][j] * (st[r][j] + C[r][j]); }}
            }}
            st[r + 1][i] <== acc;
        }}
    }}
    for (var i = 0; i < {t}; i++) {{ out[i] <== st[{rounds}][i]; }}
}}
"#,
        c = matrix(p.round_constants()),
        m = matrix(p.mds()),
    )
}

/// A sponge of width `t` over `n` inputs with a fixed capacity element (tag and length).
fn sponge(name: &str, p: &Poseidon, n: usize, capacity: Fr) -> String {
    let (t, rate) = (p.width(), p.rate());
    let blocks = n.div_ceil(rate);
    format!(
        r#"
template {name}() {{
    signal input in[{n}];
    signal output out;
    component perm[{blocks}];
    for (var b = 0; b < {blocks}; b++) {{
        perm[b] = Permute{t}();
        for (var i = 0; i < {t}; i++) {{
            var prev = 0;
            if (b == 0) {{ if (i == 0) {{ prev = {cap}; }} }} else {{ prev = perm[b - 1].out[i]; }}
            var add = 0;
            if (i > 0 && b * {rate} + i - 1 < {n}) {{ add = in[b * {rate} + i - 1]; }}
            perm[b].in[i] <== prev + add;
        }}
    }}
    out <== perm[{blocks} - 1].out[1];
}}
"#,
        cap = dec(&capacity),
    )
}

const MAIN: &str = r#"
template Sbox() {
    signal input in;
    signal output out;
    signal x2;
    signal x4;
    x2 <== in * in;
    x4 <== x2 * x2;
    out <== x4 * in;
}

// 0 <= in < 2^n: n boolean bits that sum to in.
template Bits(n) {
    signal input in;
    signal output out[n];
    var lc = 0;
    var e = 1;
    for (var i = 0; i < n; i++) {
        out[i] <-- (in >> i) & 1;
        out[i] * (out[i] - 1) === 0;
        lc += out[i] * e;
        e = e + e;
    }
    lc === in;
}

template Select() {
    signal input b;
    signal input t;
    signal input f;
    signal output out;
    out <== f + b * (t - f);
}

// Places x at position b0 + 2*b1 among s[0..3] (six selections, as in medzk).
template Place() {
    signal input x;
    signal input b0;
    signal input b1;
    signal input s[3];
    signal output c[4];
    component sel[6];
    for (var i = 0; i < 6; i++) { sel[i] = Select(); }
    sel[0].b <== b1; sel[0].t <== s[2]; sel[0].f <== s[0];
    sel[1].b <== b0; sel[1].t <== sel[0].out; sel[1].f <== x;
    var p1 = x + sel[0].out - sel[1].out;
    sel[2].b <== b1; sel[2].t <== s[0]; sel[2].f <== s[1];
    sel[3].b <== b1; sel[3].t <== s[1]; sel[3].f <== s[2];
    sel[4].b <== b1; sel[4].t <== sel[2].out; sel[4].f <== sel[1].out;
    sel[5].b <== b1; sel[5].t <== sel[3].out; sel[5].f <== p1;
    c[0] <== sel[4].out;
    c[1] <== sel[5].out;
    c[2] <== sel[1].out + sel[2].out - sel[4].out;
    c[3] <== p1 + sel[3].out - sel[5].out;
}

template Vaccination(LEVELS) {
    // Public inputs, in medzk's order.
    signal input root;
    signal input policy_hash;
    signal input today;
    signal input context;
    signal input nullifier;
    // The record and the holder secret.
    signal input secret;
    signal input code;
    signal input date;
    signal input dose;
    signal input series;
    signal input ext;
    signal input issuer;
    signal input salt;
    // The policy.
    signal input scope;
    signal input min_days;
    signal input max_days;
    signal input min_dose;
    signal input complete;
    signal input vaccines[16];
    // The inclusion path.
    signal input pos[LEVELS][2];
    signal input sib[LEVELS][3];

    // Range checks of the record and policy values.
    component dateBits = Bits(32); dateBits.in <== date + DATE_BIAS;
    component doseBits = Bits(8); doseBits.in <== dose;
    component seriesBits = Bits(8); seriesBits.in <== series;
    component minBits = Bits(16); minBits.in <== min_days;
    component maxBits = Bits(16); maxBits.in <== max_days;
    component minDoseBits = Bits(8); minDoseBits.in <== min_dose;
    complete * (complete - 1) === 0;

    component holder = HolderHash();
    holder.in[0] <== secret;

    component commitment = CommitmentHash();
    commitment.in[0] <== IMMUNIZATION;
    commitment.in[1] <== holder.out;
    commitment.in[2] <== code;
    commitment.in[3] <== date;
    commitment.in[4] <== dose;
    commitment.in[5] <== series;
    commitment.in[6] <== ext;
    commitment.in[7] <== issuer;
    commitment.in[8] <== salt;

    component place[LEVELS];
    component node[LEVELS];
    signal level[LEVELS + 1];
    level[0] <== commitment.out;
    for (var l = 0; l < LEVELS; l++) {
        pos[l][0] * (pos[l][0] - 1) === 0;
        pos[l][1] * (pos[l][1] - 1) === 0;
        place[l] = Place();
        place[l].x <== level[l];
        place[l].b0 <== pos[l][0];
        place[l].b1 <== pos[l][1];
        for (var i = 0; i < 3; i++) { place[l].s[i] <== sib[l][i]; }
        node[l] = NodeHash();
        for (var i = 0; i < 4; i++) { node[l].in[i] <== place[l].c[i]; }
        level[l + 1] <== node[l].out;
    }
    level[LEVELS] === root;

    component nul = NullifierHash();
    nul.in[0] <== secret;
    nul.in[1] <== scope;
    nul.out === nullifier;

    component pol = PolicyHash();
    pol.in[0] <== scope;
    pol.in[1] <== min_days + max_days * 65536 + min_dose * 4294967296 + complete * 1099511627776;
    for (var i = 0; i < 16; i++) { pol.in[2 + i] <== vaccines[i]; }
    pol.out === policy_hash;

    // The vaccine is in the approved set: a product of differences that is zero.
    signal prod[15];
    prod[0] <== (code - vaccines[0]) * (code - vaccines[1]);
    for (var i = 1; i < 15; i++) { prod[i] <== prod[i - 1] * (code - vaccines[i + 1]); }
    prod[14] === 0;

    // Dose rule and date window, each comparison a range check of the difference.
    component doseMin = Bits(8); doseMin.in <== dose - min_dose;
    signal required;
    required <== complete * series;
    component doseSeries = Bits(8); doseSeries.in <== dose - required;
    component after = Bits(16); after.in <== today - date - min_days;
    component before = Bits(16); before.in <== max_days - (today - date);
}

component main {public [root, policy_hash, today, context, nullifier]} = Vaccination(LEVELS_VALUE);
"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: snarkjs_compare DIR"));
    std::fs::create_dir_all(&dir).expect("output directory");
    let depth = Depth::default();
    let bench = VaccinationBench::new(depth);
    let f = &bench.fixture;
    let w = f.witness();
    let (t3, t5, t10) = (Poseidon::t3(), Poseidon::t5(), Poseidon::t10());

    let mut circom = String::from(
        "pragma circom 2.1.0;\n// Generated by benches/src/bin/snarkjs_compare.rs from medzk's parameters.\n",
    );
    for p in [t3, t5, t10] {
        circom.push_str(&permutation(p));
    }
    circom.push_str(&sponge("HolderHash", t3, 1, tags::HOLDER.capacity(1)));
    circom.push_str(&sponge("NullifierHash", t3, 2, tags::NULLIFIER.capacity(2)));
    circom.push_str(&sponge("NodeHash", t5, 4, tags::NODE.capacity(4)));
    circom.push_str(&sponge("CommitmentHash", t10, 9, tags::COMMITMENT.capacity(9)));
    circom.push_str(&sponge("PolicyHash", t10, 18, tags::POLICY_VACCINATION.capacity(18)));
    circom.push_str(
        &MAIN
            .replace("DATE_BIAS", &DATE_BIAS.to_string())
            .replace("IMMUNIZATION", &dec(&RecordKind::Immunization.to_field()))
            .replace("LEVELS_VALUE", &depth.levels().to_string()),
    );
    std::fs::write(dir.join("vaccination.circom"), circom).expect("write circuit");

    // The witness, as circom input (decimal strings).
    let policy = &f.policy;
    let vaccines: Vec<String> = policy.vaccine_fields().iter().map(|v| format!("\"{}\"", dec(v))).collect();
    let presentation = bench.prove(1);
    let verifier = bench.verifier();
    let session = Session { verifier_id: VERIFIER, nonce: NONCE };
    let public = verifier
        .public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &session, f.today, &presentation)
        .expect("public inputs")
        .to_field_elements();
    let slot = |s: Slot| format!("\"{}\"", dec(&w.record.slot(s)));
    let mut input = String::from("{\n");
    for (name, x) in ["root", "policy_hash", "today", "context", "nullifier"].iter().zip(&public) {
        writeln!(input, "  \"{name}\": \"{}\",", dec(x)).unwrap();
    }
    writeln!(input, "  \"secret\": \"{}\",", dec(&w.secret.expose())).unwrap();
    for (name, s) in [
        ("code", Slot::Code),
        ("date", Slot::Date),
        ("dose", Slot::Value),
        ("series", Slot::Aux),
        ("ext", Slot::Ext),
        ("issuer", Slot::Issuer),
        ("salt", Slot::Salt),
    ] {
        writeln!(input, "  \"{name}\": {},", slot(s)).unwrap();
    }
    writeln!(input, "  \"scope\": \"{}\",", dec(&policy.scope().to_field())).unwrap();
    writeln!(input, "  \"min_days\": \"{}\",", policy.window().min).unwrap();
    writeln!(input, "  \"max_days\": \"{}\",", policy.window().max).unwrap();
    writeln!(input, "  \"min_dose\": \"{}\",", policy.min_dose()).unwrap();
    writeln!(input, "  \"complete\": \"{}\",", u8::from(policy.complete_series())).unwrap();
    writeln!(input, "  \"vaccines\": [{}],", vaccines.join(", ")).unwrap();
    let pos: Vec<String> = (0..depth.levels())
        .map(|l| {
            let p = w.path.position(l);
            format!("[\"{}\", \"{}\"]", p & 1, p >> 1)
        })
        .collect();
    let sib: Vec<String> = w
        .path
        .siblings
        .iter()
        .map(|s| format!("[{}]", s.iter().map(|x| format!("\"{}\"", dec(x))).collect::<Vec<_>>().join(", ")))
        .collect();
    writeln!(input, "  \"pos\": [{}],", pos.join(", ")).unwrap();
    writeln!(input, "  \"sib\": [{}]", sib.join(",\n    ")).unwrap();
    input.push_str("}\n");
    std::fs::write(dir.join("input.json"), input).expect("write input");

    // medzk's medians for the same witness, now (the script times snarkjs right after).
    let bytes = presentation.to_bytes();
    let _ = bench.prove(2);
    let prove: Vec<f64> = (0..15)
        .map(|i| {
            let t = Instant::now();
            let _ = bench.prove(10 + i);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let verify: Vec<f64> = (0..101)
        .map(|_| {
            let t = Instant::now();
            verifier
                .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, f.today, &bytes)
                .expect("accepted");
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let tabled = bench.prover.clone().with_tables();
    let prove_tables: Vec<f64> = (0..15)
        .map(|i| {
            let t = Instant::now();
            let _ = bench.prove_with(&tabled, 30 + i);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let constraints = bench.prover.shape().num_constraints();
    let json = format!(
        "{{\"constraints\": {constraints}, \"prove_ms\": {:.2}, \"prove_tables_ms\": {:.2}, \"verify_ms\": {:.3}}}\n",
        median(prove),
        median(prove_tables),
        median(verify)
    );
    std::fs::write(dir.join("medzk.json"), &json).expect("write timings");
    print!("medzk: {json}");
}
