//! The diagnostics bundle of `doctor --bundle`: a tar.gz of named text files, built in memory and written
//! atomically. Writes only the bundle file.

use crate::error::{ErrorKind, ToolError};
use crate::io::atomic::write_report_file;
use std::path::Path;

/// Writes `files` (name, bytes) as a gzip-compressed tar to `path`; readers see the old file or the whole new one.
pub fn write_bundle(path: &Path, files: &[(String, Vec<u8>)], mtime: u64) -> Result<(), ToolError> {
    let fail = |e: std::io::Error| {
        ToolError::new(ErrorKind::OutputFailed, path.display().to_string(), "cannot build the bundle").caused_by(e)
    };
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(encoder);
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice()).map_err(fail)?;
    }
    let gz = tar.into_inner().map_err(fail)?.finish().map_err(fail)?;
    write_report_file(path, &gz)
}
