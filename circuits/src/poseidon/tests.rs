use super::*;
use crate::field::from_hex;

fn perm(p: &Poseidon, input: &[u64]) -> Vec<Fr> {
    let mut state: Vec<Fr> = input.iter().map(|x| Fr::from(*x)).collect();
    p.permute(&mut state);
    state
}

fn hex(values: &[&str]) -> Vec<Fr> {
    values.iter().map(|v| from_hex(v).unwrap()).collect()
}

/// Known answer from the reference implementation (`poseidonperm_x5_255_3`).
#[test]
fn t3_matches_reference_vector() {
    assert_eq!(
        perm(Poseidon::t3(), &[0, 1, 2]),
        hex(&[
            "0x28ce19420fc246a05553ad1e8c98f5c9d67166be2c18e9e4cb4b4e317dd2a78a",
            "0x51f3e312c95343a896cfd8945ea82ba956c1118ce9b9859b6ea56637b4b1ddc4",
            "0x3b2b69139b235626a0bfb56c9527ae66a7bf486ad8c11c14d1da0c69bbe0f79a",
        ])
    );
}

/// Known answer from the reference implementation (`poseidonperm_x5_255_5`).
#[test]
fn t5_matches_reference_vector() {
    let out = perm(Poseidon::t5(), &[0, 1, 2, 3, 4]);
    assert_eq!(
        out[..3],
        hex(&[
            "0x2a918b9c9f9bd7bb509331c81e297b5707f6fc7393dcee1b13901a0b22202e18",
            "0x65ebf8671739eeb11fb217f2d5c5bf4a0c3f210e3f3cd3b08b5db75675d797f7",
            "0x2cc176fc26bc70737a696a9dfd1b636ce360ee76926d182390cdb7459cf585ce",
        ])[..]
    );
}

/// Pins the width-10 instance; the expected values come from the independent Python
/// derivation in `tools/poseidon_params.py`, which also runs the reference MDS checks.
#[test]
fn t10_matches_independent_derivation() {
    let out = perm(Poseidon::t10(), &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(
        out[..3],
        hex(&[
            "0x0b644e76ab8fb286571944fd9a9aaf9e5f07466efb5fc9d2bb2bfd5fafa4364f",
            "0x5cdff260050602f4ad9e0150e2508d92e6cbd442b1247ad16c42a64615befa5d",
            "0x65a9ef28ccfa9f9d62b51e2ec3fead7a18f73a9af36ed0314e72036c4ae29c5b",
        ])[..]
    );
}

#[test]
fn constraint_costs() {
    assert_eq!(Poseidon::t3().constraints_per_permutation(), 243);
    assert_eq!(Poseidon::t5().constraints_per_permutation(), 300);
    assert_eq!(Poseidon::t10().constraints_per_permutation(), 420);
}

#[test]
fn tags_and_lengths_separate_domains() {
    const A: Tag = Tag::new("medzk/test/a");
    const B: Tag = Tag::new("medzk/test/b");
    let x = [Fr::from(1u64), Fr::from(2u64)];
    let p = Poseidon::t3();
    assert_ne!(p.hash(A, &x), p.hash(B, &x));
    // Zero padding cannot be confused with a shorter input: the length is in the capacity.
    assert_ne!(p.hash(A, &x[..1]), p.hash(A, &[x[0], Fr::from(0u64)]));
    // Multi-block inputs absorb every element.
    let long: Vec<Fr> = (0..7u64).map(Fr::from).collect();
    let mut changed = long.clone();
    changed[6] += Fr::from(1u64);
    assert_ne!(p.hash(A, &long), p.hash(A, &changed));
}

#[test]
fn tag_capacity_layout() {
    const A: Tag = Tag::new("ab");
    assert_eq!(A.to_field(), Fr::from(0x6261u64));
    assert_eq!(A.capacity(0), A.to_field());
    assert_eq!(A.capacity(3) - A.capacity(2), Fr::from(2u64).pow([128]));
}

/// The optimised rounds (moved constants, sparse matrices) compute the specification's
/// permutation, for every instance, on random states and on edge states.
#[test]
fn optimised_equals_reference() {
    use ark_ff::UniformRand;
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    for p in [Poseidon::t3(), Poseidon::t5(), Poseidon::t10()] {
        let mut states: Vec<Vec<Fr>> =
            (0..50).map(|_| (0..p.width()).map(|_| Fr::rand(&mut rng)).collect()).collect();
        states.push(vec![Fr::ZERO; p.width()]);
        states.push(vec![-Fr::ONE; p.width()]);
        for state in states {
            let mut fast = state.clone();
            let mut reference = state;
            p.permute(&mut fast);
            p.permute_reference(&mut reference);
            assert_eq!(fast, reference, "width {}", p.width());
        }
    }
}

#[test]
fn capacity_constant_is_two_to_the_128() {
    let tag = Tag::new("medzk/test/c");
    assert_eq!(tag.capacity(3) - tag.to_field(), Fr::from(3u64) * Fr::from(2u64).pow([128]));
}

/// The constants file as the Grain LFSR generates it (`constants.rs`'s source text).
fn generated_constants_source() -> String {
    use ark_ff::PrimeField;
    use std::fmt::Write;
    let mut out = String::from(
        "//! Round constants and MDS matrices of the three instances, as the reference Grain\n\
         //! LFSR procedure generates them (canonical limbs, little-endian). Generated; do not\n\
         //! edit: `MEDZK_WRITE_POSEIDON_CONSTANTS=1 cargo test --workspace --locked\n\
         //! embedded_constants` rewrites it, and that test checks it against the generator.\n\n\
         use ark_ff::BigInt;\n\nuse crate::field::Fr;\n",
    );
    let fr = |x: &Fr| {
        let l = x.into_bigint().0;
        format!("Fr::new(BigInt([{:#018x}, {:#018x}, {:#018x}, {:#018x}]))", l[0], l[1], l[2], l[3])
    };
    for (name, width, partial) in [("T3", 3usize, 57u64), ("T5", 5, 60), ("T10", 10, 60)] {
        let (ark, mds) =
            find_poseidon_ark_and_mds::<Fr>(PRIME_BITS, width - 1, FULL_ROUNDS as u64, partial, 0);
        writeln!(out, "\n/// Round constants of the width-{width} instance, `[round][lane]`.").unwrap();
        writeln!(out, "pub(super) static {name}_ARK: [[Fr; {width}]; {}] = [", ark.len()).unwrap();
        for row in &ark {
            writeln!(out, "    [").unwrap();
            for x in row {
                writeln!(out, "        {},", fr(x)).unwrap();
            }
            writeln!(out, "    ],").unwrap();
        }
        writeln!(out, "];").unwrap();
        writeln!(out, "\n/// MDS matrix of the width-{width} instance, `[row][column]`.").unwrap();
        writeln!(out, "pub(super) static {name}_MDS: [[Fr; {width}]; {width}] = [").unwrap();
        for row in &mds {
            writeln!(out, "    [").unwrap();
            for x in row {
                writeln!(out, "        {},", fr(x)).unwrap();
            }
            writeln!(out, "    ],").unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    out
}

/// The embedded constants (which spare every process the LFSR at start) are exactly the
/// generator's output.
#[test]
fn embedded_constants_equal_the_grain_lfsr() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/poseidon/constants.rs");
    let generated = generated_constants_source();
    if std::env::var_os("MEDZK_WRITE_POSEIDON_CONSTANTS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).unwrap() == generated,
        "src/poseidon/constants.rs differs from the Grain LFSR's output"
    );
    for (p, width, partial) in
        [(Poseidon::t3(), 3usize, 57u64), (Poseidon::t5(), 5, 60), (Poseidon::t10(), 10, 60)]
    {
        let (ark, mds) =
            find_poseidon_ark_and_mds::<Fr>(PRIME_BITS, width - 1, FULL_ROUNDS as u64, partial, 0);
        assert_eq!(p.round_constants(), ark.as_slice(), "width {width}");
        assert_eq!(p.mds(), mds.as_slice(), "width {width}");
    }
}
