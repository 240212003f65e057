//! Checksum verification of a LevelDB folder's log and table files, before rusty-leveldb reads it.
//!
//! Reads files of the private snapshot only. Why this exists: rusty-leveldb 4 skips a table block whose checksum
//! fails while iterating ("try next block, this might be corruption") and stops replaying a log at the first bad
//! record, both silently. A migration built on that would lose records without a word, the very defect this tool
//! exists to catch, so every block and every log record is verified here first and any failure is LEVELDB-001
//! naming the file.

use crc32c::crc32c;
use integer_encoding::VarInt;
use std::path::Path;

const LOG_BLOCK: usize = 32 * 1024;
const LOG_HEADER: usize = 7;
const TABLE_MAGIC: u64 = 0xdb47_7524_8b80_fb57;
const FOOTER_LEN: usize = 48;
const BLOCK_TRAILER: usize = 5;

/// A verification failure: the file name within the folder and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityError {
    pub file: String,
    pub detail: String,
}

/// LevelDB's masked CRC (so that a CRC of data containing CRCs is not itself trivially a CRC).
fn unmask(masked: u32) -> u32 {
    let rot = masked.wrapping_sub(0xa282_ead8);
    rot.rotate_left(15)
}

fn fail(file: &str, detail: impl Into<String>) -> IntegrityError {
    IntegrityError { file: file.to_string(), detail: detail.into() }
}

/// Verifies every record of a log-format file (`*.log`, `MANIFEST-*`). A record cut off by the end of the file is
/// a write that never completed and is ignored, as LevelDB itself does; a checksum mismatch is corruption.
pub fn verify_log(name: &str, bytes: &[u8]) -> Result<usize, IntegrityError> {
    let mut records = 0;
    for (block_no, block) in bytes.chunks(LOG_BLOCK).enumerate() {
        let mut pos = 0;
        while pos + LOG_HEADER <= block.len() {
            let header = &block[pos..pos + LOG_HEADER];
            let masked = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
            let len = u16::from_le_bytes([header[4], header[5]]) as usize;
            let kind = header[6];
            if kind == 0 && len == 0 {
                break; // preallocated zeros: the rest of the block holds nothing
            }
            let start = pos + LOG_HEADER;
            if start + len > block.len() {
                if block_no * LOG_BLOCK + block.len() == bytes.len() {
                    return Ok(records); // torn final write
                }
                return Err(fail(
                    name,
                    format!("log record at offset {} overruns its block", block_no * LOG_BLOCK + pos),
                ));
            }
            let data = &block[start..start + len];
            let mut crc_input = Vec::with_capacity(len + 1);
            crc_input.push(kind);
            crc_input.extend_from_slice(data);
            if crc32c(&crc_input) != unmask(masked) {
                return Err(fail(
                    name,
                    format!("log record checksum mismatch at offset {}", block_no * LOG_BLOCK + pos),
                ));
            }
            if !(1..=4).contains(&kind) {
                return Err(fail(
                    name,
                    format!("unknown log record type {kind} at offset {}", block_no * LOG_BLOCK + pos),
                ));
            }
            records += 1;
            pos = start + len;
        }
    }
    Ok(records)
}

/// A block's location in a table file.
#[derive(Debug, Clone, Copy)]
struct BlockHandle {
    offset: usize,
    size: usize,
}

fn decode_handle(bytes: &[u8]) -> Option<(BlockHandle, usize)> {
    let (offset, a) = u64::decode_var(bytes)?;
    let (size, b) = u64::decode_var(&bytes[a..])?;
    Some((BlockHandle { offset: usize::try_from(offset).ok()?, size: usize::try_from(size).ok()? }, a + b))
}

/// Verifies a table file (`*.ldb`, `*.sst`): footer magic, then the checksum and decompression of the index
/// block, the metaindex block, every data block and every meta (filter) block. Returns the number of blocks.
pub fn verify_table(name: &str, bytes: &[u8]) -> Result<usize, IntegrityError> {
    if bytes.len() < FOOTER_LEN {
        return Err(fail(name, "table is shorter than its footer"));
    }
    let footer = &bytes[bytes.len() - FOOTER_LEN..];
    let magic = u64::from_le_bytes(footer[40..48].try_into().expect("8 bytes"));
    if magic != TABLE_MAGIC {
        return Err(fail(name, "table footer has the wrong magic number"));
    }
    let (metaindex, used) = decode_handle(footer).ok_or_else(|| fail(name, "bad metaindex handle in footer"))?;
    let (index, _) = decode_handle(&footer[used..]).ok_or_else(|| fail(name, "bad index handle in footer"))?;
    let mut blocks = 0;
    for top in [metaindex, index] {
        let contents = read_block(name, bytes, top)?;
        blocks += 1;
        for value in block_values(name, &contents)? {
            let (handle, _) = decode_handle(&value).ok_or_else(|| fail(name, "bad block handle in index"))?;
            read_block(name, bytes, handle)?;
            blocks += 1;
        }
    }
    Ok(blocks)
}

/// Reads one block: checks its CRC and returns its (decompressed) contents.
fn read_block(name: &str, bytes: &[u8], handle: BlockHandle) -> Result<Vec<u8>, IntegrityError> {
    let end = handle
        .offset
        .checked_add(handle.size)
        .and_then(|e| e.checked_add(BLOCK_TRAILER))
        .filter(|e| *e <= bytes.len())
        .ok_or_else(|| fail(name, format!("block at offset {} runs past the end of the file", handle.offset)))?;
    let raw = &bytes[handle.offset..handle.offset + handle.size];
    let kind = bytes[handle.offset + handle.size];
    let masked = u32::from_le_bytes(bytes[end - 4..end].try_into().expect("4 bytes"));
    if crc32c::crc32c_append(crc32c(raw), &[kind]) != unmask(masked) {
        return Err(fail(name, format!("block checksum mismatch at offset {}", handle.offset)));
    }
    match kind {
        0 => Ok(raw.to_vec()),
        1 => snap::raw::Decoder::new()
            .decompress_vec(raw)
            .map_err(|e| fail(name, format!("block at offset {} does not decompress: {e}", handle.offset))),
        other => Err(fail(name, format!("block at offset {} uses unsupported compression {other}", handle.offset))),
    }
}

/// The values of a block's entries (prefix-compressed keys are skipped over, values are what we need).
fn block_values(name: &str, block: &[u8]) -> Result<Vec<Vec<u8>>, IntegrityError> {
    let bad = || fail(name, "malformed block entries");
    if block.len() < 4 {
        return Err(bad());
    }
    let restarts = u32::from_le_bytes(block[block.len() - 4..].try_into().expect("4 bytes")) as usize;
    let entries_end = restarts.checked_mul(4).and_then(|r| block.len().checked_sub(4 + r)).ok_or_else(bad)?;
    let mut values = Vec::new();
    let mut pos = 0;
    while pos < entries_end {
        let field = |pos: &mut usize| -> Result<usize, IntegrityError> {
            let (v, n) = u32::decode_var(&block[*pos..entries_end]).ok_or_else(bad)?;
            *pos += n;
            Ok(v as usize)
        };
        let _shared = field(&mut pos)?;
        let non_shared = field(&mut pos)?;
        let value_len = field(&mut pos)?;
        let value_start = pos.checked_add(non_shared).ok_or_else(bad)?;
        let value_end = value_start.checked_add(value_len).filter(|e| *e <= entries_end).ok_or_else(bad)?;
        values.push(block[value_start..value_end].to_vec());
        pos = value_end;
    }
    Ok(values)
}

/// Verifies every log, manifest and table file of a folder. Returns how many files were checked.
pub fn verify_folder(dir: &Path) -> Result<usize, IntegrityError> {
    let mut checked = 0;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| fail(".", format!("cannot list the folder: {e}")))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .collect();
    names.sort();
    for name in names {
        let is_table = name.ends_with(".ldb") || name.ends_with(".sst");
        let is_log = name.ends_with(".log") || name.starts_with("MANIFEST-");
        if !is_table && !is_log {
            continue;
        }
        let bytes = std::fs::read(dir.join(&name)).map_err(|e| fail(&name, format!("cannot read: {e}")))?;
        if is_table {
            verify_table(&name, &bytes)?;
        } else {
            verify_log(&name, &bytes)?;
        }
        checked += 1;
    }
    Ok(checked)
}
