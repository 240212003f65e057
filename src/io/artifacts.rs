//! Reads compiler artifacts for `--artifacts DIR` (recursively): Foundry `out/<File>.sol/<Name>.json`, Hardhat
//! `build-info/*.json` (solc standard-JSON output) and Hardhat per-contract artifacts (`hh-sol-artifact-1`, also
//! what npm packages ship). Each is marked with whether its kind carries `immutableReferences`: solc's output
//! (build-info, Foundry) does, per-contract Hardhat and Truffle artifacts do not. Reads files only; the hashes are
//! computed by the pure `core::bytecode`, the matching is `core::onchain::code`.

use crate::core::bytecode::{keccak_hex, strip_metadata, zero_ranges, Range};
use crate::core::onchain::{ArtifactInfo, Artifacts};
use crate::error::{ErrorKind, ToolError};
use alloy_primitives::hex;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Every contract with deployed bytecode found under `dir` (recursively), in file name order.
pub fn read_artifacts(dir: &Path) -> Result<Artifacts, ToolError> {
    if !dir.is_dir() {
        return Err(ToolError::new(
            ErrorKind::InputUnreadable,
            dir.display().to_string(),
            "--artifacts is not a folder",
        ));
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let listing =
            std::fs::read_dir(&d).map_err(|e| ToolError::input_io(d.display().to_string(), "cannot list", e))?;
        for entry in listing.flatten() {
            let path = entry.path();
            // A linked folder is not followed: a link back up the tree would be walked without end.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = Artifacts::new();
    for path in files {
        let text = crate::io::documents::read_bytes(&path)?;
        let Ok(json) = serde_json::from_slice::<Value>(&text) else { continue };
        collect(&json, &path, &mut out);
    }
    Ok(out)
}

fn collect(json: &Value, path: &Path, out: &mut Artifacts) {
    let file = path.display().to_string();
    if let Some(contracts) = json.pointer("/output/contracts").and_then(Value::as_object) {
        for (source, by_name) in contracts {
            for (name, c) in by_name.as_object().into_iter().flatten() {
                let deployed = c.pointer("/evm/deployedBytecode");
                let creation = c.pointer("/evm/bytecode/object");
                if let Some(info) = info(name, Some(source.clone()), &file, creation, deployed, true) {
                    out.add(info);
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
    let Some(name) = name else { return };
    let source = json.get("sourceName").and_then(Value::as_str).map(str::to_string).or_else(|| {
        // Foundry: `metadata.settings.compilationTarget` is `{source: name}`.
        let target = json.pointer("/metadata/settings/compilationTarget")?.as_object()?;
        target.iter().find(|(_, n)| n.as_str() == Some(name.as_str())).map(|(s, _)| s.clone())
    });
    let deployed = json.get("deployedBytecode");
    // solc's shape (an object with `object`) carries immutableReferences (absent when there are none); a bare
    // hex string (Hardhat per-contract, Truffle) never does.
    let carries_refs = deployed.is_some_and(Value::is_object);
    let creation = json.pointer("/bytecode/object").or(json.get("bytecode"));
    if let Some(info) = info(&name, source, &file, creation, deployed, carries_refs) {
        out.add(info);
    }
}

fn info(
    name: &str,
    source_name: Option<String>,
    file: &str,
    creation: Option<&Value>,
    deployed: Option<&Value>,
    has_immutable_refs: bool,
) -> Option<ArtifactInfo> {
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
        source_name,
        file: file.to_string(),
        has_immutable_refs,
        creation_hash: keccak_hex(strip_metadata(&creation)),
        runtime_hash: keccak_hex(strip_metadata(&zero_ranges(&runtime, &ranges))),
        immutable_ranges: ranges,
    })
}
