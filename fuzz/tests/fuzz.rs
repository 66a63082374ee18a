//! Regression tests: a short fuzz run with fixed seeds, and every input saved in
//! `fuzz/regressions/` (minimized crashers of fixed bugs), none of which may panic.

use std::time::{Duration, Instant};

use pigrs_fuzz::target::{install_quiet_hook, run_caught};
use pigrs_fuzz::{InputMaker, load_corpus, load_regressions};

/// Runs `f` on a thread with the fuzzer's 2 MiB stack (whatever `RUST_MIN_STACK` says), so
/// deep-nesting inputs behave as in the fuzzer.
fn on_fuzz_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn short_fuzz_run_with_fixed_seeds_finds_no_panic() {
    on_fuzz_stack(|| {
        install_quiet_hook();
        let corpus = load_corpus();
        let (mut n, mut parsed, mut planned) = (0u32, 0u32, 0u32);
        for seed in [1u64, 2, 3, 0x5eed] {
            let mut maker = InputMaker::new(seed, corpus.clone());
            let until = Instant::now() + Duration::from_millis(1500);
            while Instant::now() < until {
                let (input, params, _) = maker.next_input();
                match run_caught(&input, &params) {
                    Ok(o) => {
                        parsed += u32::from(o.parsed);
                        planned += u32::from(o.planned);
                    }
                    Err(p) => panic!("seed {seed}: {p}\n--- input ---\n{input}"),
                }
                n += 1;
            }
        }
        println!("{n} inputs, {parsed} parsed, {planned} planned");
        assert!(n > 0);
        assert!(parsed > 0, "the generator should produce parseable scripts");
        assert!(
            planned > 0,
            "the generator should produce plannable scripts"
        );
    });
}

#[test]
fn generated_scripts_are_mostly_valid() {
    on_fuzz_stack(|| {
        install_quiet_hook();
        let mut maker = InputMaker::new(42, Vec::new());
        let (mut n, mut parsed, mut planned) = (0u32, 0u32, 0u32);
        while n < 300 {
            let (input, params, source) = maker.next_input();
            if source != pigrs_fuzz::Source::Generated {
                continue;
            }
            let o = run_caught(&input, &params).unwrap_or_else(|p| panic!("{p}\n{input}"));
            parsed += u32::from(o.parsed);
            planned += u32::from(o.planned);
            n += 1;
        }
        println!("{n} generated, {parsed} parsed, {planned} planned");
        assert!(
            parsed * 10 >= n * 9,
            "only {parsed} of {n} generated scripts parsed"
        );
        // Some statements are wrong on purpose, and one wrong statement fails a script.
        assert!(
            planned * 7 >= n,
            "only {planned} of {n} generated scripts planned"
        );
    });
}

#[test]
fn regressions_do_not_panic() {
    on_fuzz_stack(|| {
        install_quiet_hook();
        let inputs = load_regressions();
        for seed in &inputs {
            let t0 = Instant::now();
            if let Err(p) = run_caught(&seed.text, &seed.params) {
                panic!("{}: {p}", seed.path.display());
            }
            let took = t0.elapsed();
            assert!(
                took < Duration::from_secs(10),
                "{}: took {took:?}",
                seed.path.display()
            );
        }
        println!("{} regression inputs", inputs.len());
    });
}
