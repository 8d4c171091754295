//! The jobs every form kind shares. They know a form only through its
//! [`crate::forms::FormKind`] and the functions the form passes them, never
//! a PDCA sheet or a centre plan.
//!
//! - [`distribute`]: one workbook per centre, named, checked against what
//!   it would replace, staged and moved into place together;
//! - [`collect`]: find the returned files, read them in parallel against the
//!   distributed grids, choose one per centre, 提出状況, 差戻し workbooks, and
//!   write the outputs together;
//! - [`init`]: input workbooks from a form's description, blank or from JSON,
//!   read back to prove the commands read them as given.

pub mod collect;
pub mod distribute;
pub mod init;
