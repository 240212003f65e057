//! LevelDB's on-disk formats, decoded from bytes (pure): table files (footer, index and data blocks, block
//! checksums, snappy) and write-ahead log files (32 KiB blocks, fragmented records, write batches).
//!
//! Used twice: `io::leveldb::integrity` verifies every checksum with it before rusty-leveldb reads a snapshot, and
//! `history` decodes every version of every key a folder still physically holds, which no library iterator shows.
//! Every function takes bytes and returns data or a [`FormatError`]; none panics on hostile bytes.

use crc32c::crc32c;
use integer_encoding::VarInt;

/// Size of a log block; a record never crosses one (it is split into fragments instead).
pub const LOG_BLOCK: usize = 32 * 1024;
/// checksum (4) + length (2) + type (1).
pub const LOG_HEADER: usize = 7;
/// The last 8 bytes of every table file.
pub const TABLE_MAGIC: u64 = 0xdb47_7524_8b80_fb57;
pub const FOOTER_LEN: usize = 48;
/// compression type (1) + masked crc32c (4) after every block.
pub const BLOCK_TRAILER: usize = 5;
/// The 8-byte trailer of an internal key: `sequence << 8 | type`.
const INTERNAL_TRAILER: usize = 8;
/// A write batch's header: sequence (8) + count (4).
const BATCH_HEADER: usize = 12;

/// What is wrong with some bytes, without the file name (the caller knows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(detail: impl Into<String>) -> FormatError {
    FormatError(detail.into())
}

/// LevelDB's masked CRC (so that a CRC of data containing CRCs is not itself trivially a CRC).
pub fn unmask(masked: u32) -> u32 {
    let rot = masked.wrapping_sub(0xa282_ead8);
    rot.rotate_left(15)
}

/// A block's location in a table file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHandle {
    pub offset: usize,
    pub size: usize,
}

/// Decodes a block handle (two varints); returns it and the number of bytes it took.
pub fn decode_handle(bytes: &[u8]) -> Option<(BlockHandle, usize)> {
    let (offset, a) = u64::decode_var(bytes)?;
    let (size, b) = u64::decode_var(bytes.get(a..)?)?;
    Some((BlockHandle { offset: usize::try_from(offset).ok()?, size: usize::try_from(size).ok()? }, a + b))
}

/// The metaindex and index handles of a table's footer, after checking its magic number.
pub fn table_footer(bytes: &[u8]) -> Result<(BlockHandle, BlockHandle), FormatError> {
    if bytes.len() < FOOTER_LEN {
        return Err(err("table is shorter than its footer"));
    }
    let footer = &bytes[bytes.len() - FOOTER_LEN..];
    let magic = u64::from_le_bytes(footer[40..48].try_into().expect("8 bytes"));
    if magic != TABLE_MAGIC {
        return Err(err("table footer has the wrong magic number"));
    }
    let (metaindex, used) = decode_handle(footer).ok_or_else(|| err("bad metaindex handle in footer"))?;
    let (index, _) = decode_handle(&footer[used..]).ok_or_else(|| err("bad index handle in footer"))?;
    Ok((metaindex, index))
}

/// Reads one block: checks its CRC and returns its (decompressed) contents.
pub fn read_block(bytes: &[u8], handle: BlockHandle) -> Result<Vec<u8>, FormatError> {
    let end = handle
        .offset
        .checked_add(handle.size)
        .and_then(|e| e.checked_add(BLOCK_TRAILER))
        .filter(|e| *e <= bytes.len())
        .ok_or_else(|| err(format!("block at offset {} runs past the end of the file", handle.offset)))?;
    let raw = &bytes[handle.offset..handle.offset + handle.size];
    let kind = bytes[handle.offset + handle.size];
    let masked = u32::from_le_bytes(bytes[end - 4..end].try_into().expect("4 bytes"));
    if crc32c::crc32c_append(crc32c(raw), &[kind]) != unmask(masked) {
        return Err(err(format!("block checksum mismatch at offset {}", handle.offset)));
    }
    match kind {
        0 => Ok(raw.to_vec()),
        1 => snap::raw::Decoder::new()
            .decompress_vec(raw)
            .map_err(|e| err(format!("block at offset {} does not decompress: {e}", handle.offset))),
        other => Err(err(format!("block at offset {} uses unsupported compression {other}", handle.offset))),
    }
}

/// A block entry's (full) key and value.
pub type BlockEntry = (Vec<u8>, Vec<u8>);

/// The entries of a block's contents, keys expanded from their shared prefixes, in block order.
pub fn block_entries(block: &[u8]) -> Result<Vec<BlockEntry>, FormatError> {
    let bad = || err("malformed block entries");
    if block.len() < 4 {
        return Err(bad());
    }
    let restarts = u32::from_le_bytes(block[block.len() - 4..].try_into().expect("4 bytes")) as usize;
    let entries_end = restarts.checked_mul(4).and_then(|r| block.len().checked_sub(4 + r)).ok_or_else(bad)?;
    let mut entries = Vec::new();
    let mut last_key: Vec<u8> = Vec::new();
    let mut pos = 0;
    while pos < entries_end {
        let mut field = || -> Result<usize, FormatError> {
            let (v, n) = u32::decode_var(&block[pos..entries_end]).ok_or_else(bad)?;
            pos += n;
            Ok(v as usize)
        };
        let shared = field()?;
        let non_shared = field()?;
        let value_len = field()?;
        if shared > last_key.len() {
            return Err(bad());
        }
        let key_end = pos.checked_add(non_shared).filter(|e| *e <= entries_end).ok_or_else(bad)?;
        let value_end = key_end.checked_add(value_len).filter(|e| *e <= entries_end).ok_or_else(bad)?;
        let mut key = last_key[..shared].to_vec();
        key.extend_from_slice(&block[pos..key_end]);
        entries.push((key.clone(), block[key_end..value_end].to_vec()));
        last_key = key;
        pos = value_end;
    }
    Ok(entries)
}

/// Verifies a table file: footer magic, then the checksum and decompression of the index block, the metaindex
/// block, every data block and every meta (filter) block. Returns the number of blocks.
pub fn verify_table(bytes: &[u8]) -> Result<usize, FormatError> {
    let (metaindex, index) = table_footer(bytes)?;
    let mut blocks = 0;
    for top in [metaindex, index] {
        let contents = read_block(bytes, top)?;
        blocks += 1;
        for (_, value) in block_entries(&contents)? {
            let (handle, _) = decode_handle(&value).ok_or_else(|| err("bad block handle in index"))?;
            read_block(bytes, handle)?;
            blocks += 1;
        }
    }
    Ok(blocks)
}

/// A physical record of a log file, reassembled from its fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Byte offset of its first fragment's header in the file.
    pub offset: usize,
    pub data: Vec<u8>,
}

/// The records of a log-format file (`*.log`, `MANIFEST-*`), every fragment's checksum verified. A record cut
/// off by the end of the file is a write that never completed and is ignored, as LevelDB itself does; a checksum
/// mismatch or a fragment out of order is corruption.
pub fn log_records(bytes: &[u8]) -> Result<Vec<LogRecord>, FormatError> {
    let mut records = Vec::new();
    let mut pending: Option<LogRecord> = None;
    for (block_no, block) in bytes.chunks(LOG_BLOCK).enumerate() {
        let mut pos = 0;
        while pos + LOG_HEADER <= block.len() {
            let at = block_no * LOG_BLOCK + pos;
            let header = &block[pos..pos + LOG_HEADER];
            let masked = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
            let len = u16::from_le_bytes([header[4], header[5]]) as usize;
            let kind = header[6];
            if kind == 0 && len == 0 {
                break; // preallocated zeros: the rest of the block holds nothing
            }
            let start = pos + LOG_HEADER;
            if start + len > block.len() {
                let at_end = block_no * LOG_BLOCK + block.len() == bytes.len();
                if at_end && is_torn(masked, kind, &block[start..], &bytes[at + 1..]) {
                    return Ok(records); // a final write that never completed
                }
                return Err(err(format!("log record at offset {at} overruns its block")));
            }
            let data = &block[start..start + len];
            if crc32c::crc32c_append(crc32c(&[kind]), data) != unmask(masked) {
                return Err(err(format!("log record checksum mismatch at offset {at}")));
            }
            match (kind, pending.as_mut()) {
                (1, None) => records.push(LogRecord { offset: at, data: data.to_vec() }),
                (2, None) => pending = Some(LogRecord { offset: at, data: data.to_vec() }),
                (3, Some(p)) => p.data.extend_from_slice(data),
                (4, Some(p)) => {
                    p.data.extend_from_slice(data);
                    records.push(pending.take().expect("pending"));
                }
                (1..=4, _) => return Err(err(format!("log fragment of type {kind} out of order at offset {at}"))),
                _ => return Err(err(format!("unknown log record type {kind} at offset {at}"))),
            }
            pos = start + len;
        }
    }
    // A record whose LAST fragment is missing at the end of the file is a torn write, ignored.
    Ok(records)
}

/// Whether a record that claims more bytes than its file holds is a write that never completed (ignored, as
/// LevelDB does) rather than a damaged length field (corruption, never a silent loss of what follows): a torn write
/// is the end of its file, so neither are the bytes present the whole record (their checksum matching the header
/// means only the length is wrong), nor does any checksum-valid record follow it.
fn is_torn(masked: u32, kind: u8, present: &[u8], after_header_start: &[u8]) -> bool {
    let complete = crc32c::crc32c_append(crc32c(&[kind]), present) == unmask(masked);
    !complete && !valid_record_in(after_header_start)
}

/// True when a checksum-valid log record starts anywhere in `bytes`.
fn valid_record_in(bytes: &[u8]) -> bool {
    (0..bytes.len()).any(|p| {
        let Some(header) = bytes.get(p..p + LOG_HEADER) else { return false };
        let (len, kind) = (u16::from_le_bytes([header[4], header[5]]) as usize, header[6]);
        if !(1..=4).contains(&kind) || len == 0 {
            return false;
        }
        let Some(data) = bytes.get(p + LOG_HEADER..p + LOG_HEADER + len) else { return false };
        let masked = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
        crc32c::crc32c_append(crc32c(&[kind]), data) == unmask(masked)
    })
}

/// Whether a version sets its key or deletes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VersionKind {
    Deletion,
    Value,
}

/// One version of one key found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundVersion {
    pub key: Vec<u8>,
    pub sequence: u64,
    pub kind: VersionKind,
    /// `None` for a deletion.
    pub value: Option<Vec<u8>>,
}

fn kind_of(tag: u8) -> Result<VersionKind, FormatError> {
    match tag {
        0 => Ok(VersionKind::Deletion),
        1 => Ok(VersionKind::Value),
        other => Err(err(format!("unknown value type {other}"))),
    }
}

/// Splits an internal key into user key, sequence number and kind.
pub fn split_internal_key(internal: &[u8]) -> Result<(Vec<u8>, u64, VersionKind), FormatError> {
    let split = internal.len().checked_sub(INTERNAL_TRAILER).ok_or_else(|| err("internal key shorter than 8 bytes"))?;
    let trailer = u64::from_le_bytes(internal[split..].try_into().expect("8 bytes"));
    Ok((internal[..split].to_vec(), trailer >> 8, kind_of((trailer & 0xff) as u8)?))
}

/// Every version a table file holds (every data block read, checksums verified), in file order.
pub fn table_versions(bytes: &[u8]) -> Result<Vec<FoundVersion>, FormatError> {
    let (_, index) = table_footer(bytes)?;
    let mut versions = Vec::new();
    for (_, handle_bytes) in block_entries(&read_block(bytes, index)?)? {
        let (handle, _) = decode_handle(&handle_bytes).ok_or_else(|| err("bad block handle in index"))?;
        for (internal, value) in block_entries(&read_block(bytes, handle)?)? {
            let (key, sequence, kind) = split_internal_key(&internal)?;
            let value = (kind == VersionKind::Value).then_some(value);
            versions.push(FoundVersion { key, sequence, kind, value });
        }
    }
    Ok(versions)
}

/// The versions of one write batch: sequence (u64), count (u32), then per record a tag (1 value, 0 deletion),
/// a varint-length key and, for a value, a varint-length value. Record `i` has sequence `sequence + i`.
pub fn batch_versions(batch: &[u8]) -> Result<Vec<FoundVersion>, FormatError> {
    if batch.len() < BATCH_HEADER {
        return Err(err("write batch shorter than its header"));
    }
    let first = u64::from_le_bytes(batch[0..8].try_into().expect("8 bytes"));
    let count = u32::from_le_bytes(batch[8..12].try_into().expect("4 bytes"));
    let mut pos = BATCH_HEADER;
    let slice = |pos: &mut usize| -> Result<Vec<u8>, FormatError> {
        let (len, n) = u32::decode_var(batch.get(*pos..).unwrap_or_default()).ok_or_else(|| err("bad length"))?;
        let start = *pos + n;
        let end = start.checked_add(len as usize).filter(|e| *e <= batch.len()).ok_or_else(|| err("truncated"))?;
        *pos = end;
        Ok(batch[start..end].to_vec())
    };
    let mut versions = Vec::with_capacity(count.min(1 << 16) as usize);
    for i in 0..count {
        let tag = *batch.get(pos).ok_or_else(|| err(format!("write batch holds {i} of its {count} records")))?;
        pos += 1;
        let kind = kind_of(tag)?;
        let key = slice(&mut pos).map_err(|e| err(format!("write batch record {i}: {e}")))?;
        let value = match kind {
            VersionKind::Value => Some(slice(&mut pos).map_err(|e| err(format!("write batch record {i}: {e}")))?),
            VersionKind::Deletion => None,
        };
        let sequence = first.checked_add(u64::from(i)).ok_or_else(|| err("sequence number overflows"))?;
        versions.push(FoundVersion { key, sequence, kind, value });
    }
    if pos != batch.len() {
        return Err(err(format!("write batch has {} bytes after its {count} records", batch.len() - pos)));
    }
    Ok(versions)
}

/// Every version a write-ahead log holds, in log order.
pub fn log_versions(bytes: &[u8]) -> Result<Vec<FoundVersion>, FormatError> {
    let mut versions = Vec::new();
    for record in log_records(bytes)? {
        let batch =
            batch_versions(&record.data).map_err(|e| err(format!("log record at offset {}: {e}", record.offset)))?;
        versions.extend(batch);
    }
    Ok(versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(crc: u32) -> u32 {
        crc.rotate_right(15).wrapping_add(0xa282_ead8)
    }

    fn fragment(kind: u8, data: &[u8]) -> Vec<u8> {
        let crc = mask(crc32c::crc32c_append(crc32c(&[kind]), data));
        let mut out = crc.to_le_bytes().to_vec();
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.push(kind);
        out.extend_from_slice(data);
        out
    }

    fn batch(first: u64, ops: &[(&[u8], Option<&[u8]>)]) -> Vec<u8> {
        let mut out = first.to_le_bytes().to_vec();
        out.extend_from_slice(&(ops.len() as u32).to_le_bytes());
        for (key, value) in ops {
            out.push(u8::from(value.is_some()));
            out.extend_from_slice(&(key.len() as u32).encode_var_vec());
            out.extend_from_slice(key);
            if let Some(v) = value {
                out.extend_from_slice(&(v.len() as u32).encode_var_vec());
                out.extend_from_slice(v);
            }
        }
        out
    }

    #[test]
    fn a_batch_numbers_its_records_from_its_sequence() {
        let bytes = fragment(1, &batch(7, &[(b"a", Some(b"1")), (b"b", None)]));
        let versions = log_versions(&bytes).unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!((versions[0].sequence, versions[0].kind), (7, VersionKind::Value));
        assert_eq!(
            (versions[1].sequence, versions[1].kind, versions[1].value.clone()),
            (8, VersionKind::Deletion, None)
        );
    }

    #[test]
    fn fragments_are_joined_and_a_flipped_byte_is_caught() {
        let data = batch(1, &[(b"k", Some(&[b'x'; 100]))]);
        let mut bytes = fragment(2, &data[..50]);
        bytes.extend(fragment(3, &data[50..80]));
        bytes.extend(fragment(4, &data[80..]));
        assert_eq!(log_versions(&bytes).unwrap()[0].value.as_deref(), Some(&[b'x'; 100][..]));
        let mut broken = bytes.clone();
        broken[20] ^= 1;
        assert!(log_records(&broken).unwrap_err().0.contains("checksum"));
        let lone_last = fragment(4, &data);
        assert!(log_records(&lone_last).unwrap_err().0.contains("out of order"));
    }

    /// A length field damaged to run past the end of the file is not a torn write: the records after it (or the
    /// record's own complete bytes) say so.
    #[test]
    fn a_length_past_the_end_is_corruption_unless_the_write_was_torn() {
        let first = fragment(1, &batch(1, &[(b"a", Some(b"1"))]));
        let second = fragment(1, &batch(2, &[(b"b", Some(b"2"))]));
        let whole = [first.clone(), second.clone()].concat();
        let mut middle = whole.clone();
        middle[5] = 0x02; // the first record's length now runs past the end; the second record is intact
        assert!(log_records(&middle).unwrap_err().0.contains("overruns"));
        let mut last = whole.clone();
        last[first.len() + 5] = 0x02; // the last record is complete, only its length is wrong
        assert!(log_records(&last).unwrap_err().0.contains("overruns"));
        let mut torn = whole;
        torn.truncate(torn.len() - 1);
        assert_eq!(log_records(&torn).unwrap().len(), 1, "a genuinely torn tail is still ignored");
    }

    #[test]
    fn a_torn_last_fragment_is_ignored_like_leveldb_does() {
        let mut bytes = fragment(1, &batch(1, &[(b"a", Some(b"1"))]));
        let second = fragment(1, &batch(2, &[(b"b", Some(b"2"))]));
        bytes.extend_from_slice(&second[..second.len() - 1]);
        assert_eq!(log_versions(&bytes).unwrap().len(), 1);
    }

    #[test]
    fn internal_keys_carry_sequence_and_kind() {
        let mut internal = b"56-A".to_vec();
        internal.extend_from_slice(&((42u64 << 8) | 1).to_le_bytes());
        assert_eq!(split_internal_key(&internal).unwrap(), (b"56-A".to_vec(), 42, VersionKind::Value));
        assert!(split_internal_key(b"short").is_err());
    }

    #[test]
    fn hostile_bytes_are_errors_not_panics() {
        assert!(table_versions(&[0u8; 10]).is_err());
        assert!(batch_versions(&[0u8; 12 + 1]).is_err());
        let mut claims_more = batch(1, &[(b"a", Some(b"1"))]);
        claims_more[8] = 5;
        assert!(batch_versions(&claims_more).is_err());
        assert!(block_entries(&[0, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
