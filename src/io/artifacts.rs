//! Reads compiler artifacts for `--artifacts DIR`: Foundry `out/**/<Name>.json` and Hardhat `build-info/*.json`
//! (solc standard-JSON output). Reads files only; the hashes are computed by the pure `core::bytecode`.

use crate::core::bytecode::{keccak_hex, strip_metadata, zero_ranges, Range};
use crate::core::onchain::{ArtifactInfo, Artifacts};
use crate::error::{ErrorKind, ToolError};
use alloy_primitives::hex;
use serde_json::Value;
use std::path::Path;

/// Every contract with deployed bytecode found under `dir` (recursively), by contract name.
pub fn read_artifacts(dir: &Path) -> Result<Artifacts, ToolError> {
    let mut out = Artifacts::new();
    let mut stack = vec![dir.to_path_buf()];
    if !dir.is_dir() {
        return Err(ToolError::new(
            ErrorKind::InputUnreadable,
            dir.display().to_string(),
            "--artifacts is not a folder",
        ));
    }
    while let Some(d) = stack.pop() {
        let listing =
            std::fs::read_dir(&d).map_err(|e| ToolError::input_io(d.display().to_string(), "cannot list", e))?;
        for entry in listing.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                let text = std::fs::read(&path)
                    .map_err(|e| ToolError::input_io(path.display().to_string(), "cannot read", e))?;
                let Ok(json) = serde_json::from_slice::<Value>(&text) else { continue };
                collect(&json, &path, &mut out);
            }
        }
    }
    Ok(out)
}

fn collect(json: &Value, path: &Path, out: &mut Artifacts) {
    if let Some(contracts) = json.pointer("/output/contracts").and_then(Value::as_object) {
        for file in contracts.values().filter_map(Value::as_object) {
            for (name, c) in file {
                if let Some(info) = info(name, c.pointer("/evm/bytecode/object"), c.pointer("/evm/deployedBytecode")) {
                    out.insert(name.clone(), info);
                }
            }
        }
        return;
    }
    let name = json
        .get("contractName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()));
    if let Some(name) = name {
        if let Some(info) =
            info(&name, json.pointer("/bytecode/object").or(json.get("bytecode")), json.get("deployedBytecode"))
        {
            out.insert(name, info);
        }
    }
}

fn info(name: &str, creation: Option<&Value>, deployed: Option<&Value>) -> Option<ArtifactInfo> {
    let bytes = |v: &Value| hex::decode(v.as_str()?.trim_start_matches("0x")).ok();
    let creation = bytes(creation?)?;
    let deployed = deployed?;
    let runtime = bytes(deployed.get("object").unwrap_or(deployed))?;
    if runtime.is_empty() {
        return None;
    }
    let ranges: Vec<Range> = deployed
        .get("immutableReferences")
        .and_then(Value::as_object)
        .map(|refs| {
            refs.values()
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(|r| {
                    Some(Range {
                        start: r.get("start")?.as_u64()? as usize,
                        length: r.get("length")?.as_u64()? as usize,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Some(ArtifactInfo {
        contract_name: name.to_string(),
        creation_hash: keccak_hex(strip_metadata(&creation)),
        runtime_hash: keccak_hex(strip_metadata(&zero_ranges(&runtime, &ranges))),
        immutable_ranges: ranges,
    })
}
