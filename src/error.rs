//! One error type for the whole tool. Every message is written for the user,
//! in Japanese: where (file, sheet, cell, line:column), what was expected,
//! what was found, and what to do.

use std::fmt;

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

/// A user-facing error with a Japanese message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The class of the error.
    pub kind: ErrorKind,
    /// The full message, ready to print.
    pub message: String,
}

impl Error {
    /// An error in the user's input.
    pub fn input(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Input, message: message.into() }
    }

    /// An output that could not be written.
    pub fn output(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Output, message: message.into() }
    }

    /// An internal failure.
    pub fn internal(message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Internal, message: message.into() }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Input => 2,
            ErrorKind::Output | ErrorKind::Internal => 1,
        }
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
