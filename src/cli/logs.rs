//! Logs: `-v`/`-vv`/`-vvv`, `-q`, `--log-format text|json` and `LOOKCOIN_LOG` (a level per component), written to
//! stderr with `tracing`. Only the tool's own components log; its libraries (alloy, reqwest) never do, so an
//! endpoint's URL never reaches a log through them.

use crate::error::{ErrorKind, ToolError};

/// The components a log line belongs to (its `target`), which `LOOKCOIN_LOG` sets levels for.
pub const COMPONENTS: [&str; 6] = ["leveldb", "json", "rpc", "migrate", "compare", "verify"];

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The base level from the flags: `-q` errors only, none warnings, `-v` info, `-vv` debug, `-vvv` trace.
fn base_level(verbose: u8, quiet: bool) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    }
}

/// The filter directives: the base level for every component, then `LOOKCOIN_LOG`'s `component=level` pairs
/// (or a bare level for all of them). Anything but a component of [`COMPONENTS`] and a level is refused.
pub fn directives(verbose: u8, quiet: bool, lookcoin_log: Option<&str>) -> Result<String, ToolError> {
    let levels = ["off", "error", "warn", "info", "debug", "trace"];
    let mut per_component: Vec<(String, String)> =
        COMPONENTS.iter().map(|c| (c.to_string(), base_level(verbose, quiet).to_string())).collect();
    for part in lookcoin_log.unwrap_or("").split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            ToolError::new(ErrorKind::BadEnvironment, "LOOKCOIN_LOG", format!("`{part}` is not COMPONENT=LEVEL"))
                .with_hint(format!(
                "set it to levels per component, e.g. LOOKCOIN_LOG=rpc=trace,leveldb=debug; components: {}; levels: {}",
                COMPONENTS.join(", "),
                levels.join(", ")
            ))
        };
        let (component, level) = match part.split_once('=') {
            Some((c, l)) => (Some(c.trim()), l.trim()),
            None => (None, part),
        };
        let level = level.to_ascii_lowercase();
        if !levels.contains(&level.as_str()) {
            return Err(bad());
        }
        match component {
            None => per_component.iter_mut().for_each(|(_, l)| *l = level.clone()),
            Some(c) => match per_component.iter_mut().find(|(name, _)| name == c) {
                Some((_, l)) => *l = level,
                None => return Err(bad()),
            },
        }
    }
    // Everything else (the libraries) is off.
    let mut text = String::from("off");
    for (component, level) in per_component {
        text.push_str(&format!(",{component}={level}"));
    }
    Ok(text)
}

/// Installs the subscriber for this run; logs go to stderr, without colour.
pub fn init(verbose: u8, quiet: bool, format: LogFormat, lookcoin_log: Option<&str>) -> Result<(), ToolError> {
    let filter = tracing_subscriber::EnvFilter::builder()
        .parse(directives(verbose, quiet, lookcoin_log)?)
        .map_err(|e| ToolError::new(ErrorKind::BadEnvironment, "LOOKCOIN_LOG", e.to_string()))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false);
    // A second installation (a test calling `run` twice in one process) keeps the first; not an error.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_set_every_component_and_lookcoin_log_overrides_one() {
        assert_eq!(
            directives(0, false, None).unwrap(),
            "off,leveldb=warn,json=warn,rpc=warn,migrate=warn,compare=warn,verify=warn"
        );
        assert!(directives(2, false, None).unwrap().contains(",migrate=debug,"));
        assert!(directives(1, true, None).unwrap().contains(",rpc=error,"));
        let mixed = directives(0, false, Some("rpc=TRACE, leveldb=debug")).unwrap();
        assert_eq!(mixed, "off,leveldb=debug,json=warn,rpc=trace,migrate=warn,compare=warn,verify=warn");
        assert!(directives(0, false, Some("info")).unwrap().ends_with(",verify=info"));
    }

    #[test]
    fn lookcoin_log_names_only_components_and_levels() {
        for bad in ["alloy=trace", "rpc=loud", "rpc=trace,hyper=debug", "=debug"] {
            let e = directives(0, false, Some(bad)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadEnvironment, "{bad}");
            assert!(e.hint.contains("leveldb, json, rpc, migrate, compare, verify"), "{e}");
        }
    }
}
