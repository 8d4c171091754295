//! One error type for the whole tool. Every message is written for the user,
//! in Japanese: where (file, sheet, cell, line:column), what was expected,
//! what was found, and what to do.

use std::fmt;

use crate::diagnostic::Diagnostic;

/// What went wrong, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user's input (data, template, markup, font choice) is wrong. Exit 2.
    Input,
    /// An output could not be written. Exit 1.
    Output,
    /// A bug or an unexpected failure inside keikaku. Exit 1.
    Internal,
}

/// The stage of the render pipeline that refused its input, for an error
/// in the markup a template produced: the CLI then offers `--emit-markup`
/// to look at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Parsing and checking the markup ([`crate::markup`]).
    Markup,
    /// Laying it out ([`crate::layout`]): a table wider than the page, a
    /// character no font has, a line taller than the page.
    Layout,
}

/// A user-facing error with a Japanese message, and the findings it is
/// made of as data when it has them (a master's problems, each with its
/// file, sheet and cell).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The class of the error.
    pub kind: ErrorKind,
    /// The full message, ready to print.
    pub message: String,
    /// The render stage that found it, for errors in generated markup.
    pub stage: Option<Stage>,
    /// The findings the message lists (empty when it is a message alone).
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error in the user's input.
    pub fn input(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Input, message: message.into(), stage: None, diagnostics: Vec::new() }
    }

    /// An output that could not be written.
    pub fn output(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Output, message: message.into(), stage: None, diagnostics: Vec::new() }
    }

    /// An internal failure.
    pub fn internal(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Internal, message: message.into(), stage: None, diagnostics: Vec::new() }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Input => 2,
            ErrorKind::Output | ErrorKind::Internal => 1,
        }
    }

    /// An input error that is one finding: its message is the finding with
    /// its place ([`Diagnostic::located`]).
    pub fn finding(d: Diagnostic) -> Error {
        Error::input(d.located()).with(vec![d])
    }

    /// The same error, with the findings it lists.
    pub fn with(mut self, diagnostics: Vec<Diagnostic>) -> Error {
        self.diagnostics = diagnostics;
        self
    }

    /// The same error, found by `stage` of the render pipeline.
    pub fn at_stage(mut self, stage: Stage) -> Error {
        self.stage = Some(stage);
        self
    }

    /// Prefixes the message with a location such as a file name.
    pub fn context(mut self, prefix: impl fmt::Display) -> Error {
        self.message = format!("{prefix}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Result with keikaku's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
