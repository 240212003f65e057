//! The runbook commands and outputs of the built binary: `explain`, `--version`, JSON errors on stdout, shell
//! completions and the man page. Runs `lookcoin-state` and writes only temporary folders.

use crate::binary_contract::lookcoin;
use lookcoin_state::error::{ErrorCode, ErrorKind};

#[test]
fn explain_prints_message_causes_and_resolution_of_every_code() {
    for code in ErrorCode::ALL {
        for spelled in [code.code().to_string(), code.code().to_lowercase()] {
            let run = lookcoin(&["explain", &spelled]);
            assert_eq!(run.code, 0, "{run}");
            assert_eq!(run.stderr, "", "{run}");
            assert!(run.stdout.starts_with(&format!("{}: {}\n", code.code(), code.message())), "{run}");
            for kind in ErrorKind::ALL.into_iter().filter(|k| k.code() == code) {
                assert!(run.stdout.contains(&format!("  {kind:?} (exit {})\n", kind.exit_code())), "{run}");
                assert!(run.stdout.contains(kind.hint()), "{run}");
            }
            assert!(run.stdout.contains("\nResolution:\n  1. "), "{run}");
        }
    }
}

#[test]
fn explain_of_an_unknown_code_exits_2_listing_the_codes() {
    let run = lookcoin(&["explain", "MIGRATION-009"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(run.stderr.contains("MIGRATION-009"), "{run}");
    for code in ErrorCode::ALL {
        assert!(run.stderr.contains(code.code()), "the error lists {}: {run}", code.code());
    }
}
