//! `lookcoin-state explain CODE`: what an error code means, what causes it and how to resolve it (like
//! `rustc --explain`), from the tables in `crate::error`.

use super::{exit, output_error};
use crate::error::{explain, ErrorCode, ErrorKind, ToolError};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An error code as printed in `error[CODE]` (e.g. LEVELDB-002; any case).
    pub code: String,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let Some(code) = ErrorCode::parse(&args.code) else {
        let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.code()).collect();
        return Err(ToolError::new(ErrorKind::BadFlag, args.code.clone(), "no such error code")
            .with_hint(format!("the codes are {}", codes.join(", "))));
    };
    out.write_all(explain(code).as_bytes()).map_err(output_error)?;
    Ok(exit::CLEAN)
}
