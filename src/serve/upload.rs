//! Receiving uploaded files: each multipart file field is streamed to a
//! temporary file with its SHA-256 computed on the way, within the limits,
//! then synced and moved into the blobs ([`Store::place`]; a few at a time
//! while the next files arrive), and the blob folders synced once at the
//! end. The caller records the blobs ([`Store::record_blob`]) with what
//! refers to them, in one transaction. The name the
//! browser sent is kept only as text (its last path component, without
//! control characters), never used as a path.

use std::io::Write;
use std::sync::Arc;

use axum::extract::multipart::Multipart;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use super::auth::same_secret;
use super::store::{hex, Store};

/// Limits on uploads (`keikaku serve --max-file-mb --max-files
/// --max-request-mb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes per file.
    pub file_bytes: u64,
    /// Files per request.
    pub files: usize,
    /// Bytes per request.
    pub request_bytes: u64,
}

impl Default for Limits {
    /// 50 MB per file (the workbook reader's own limit is 200 MB), 2,000
    /// files and 1 GB per request.
    fn default() -> Limits {
        Limits { file_bytes: 50 * 1_000_000, files: 2_000, request_bytes: 1_000 * 1_000_000 }
    }
}

impl Limits {
    /// The limits of an upload through a centre's link: one file of the
    /// file limit.
    pub fn portal(self) -> Limits {
        Limits { files: 1, request_bytes: self.file_bytes.saturating_add(1_000_000), ..self }
    }
}

/// A file received and kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The name it came with, as text.
    pub name: String,
    /// Its SHA-256 (the blob's name).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Why an upload was refused.
#[derive(Debug)]
pub struct UploadError {
    /// 400, 403, 413 or 422.
    pub status: StatusCode,
    /// The message, in Japanese.
    pub message: String,
}

impl UploadError {
    fn new(status: StatusCode, message: impl Into<String>) -> UploadError {
        UploadError { status, message: message.into() }
    }
}

/// Files synced and placed at the same time while the next arrive.
const PARALLEL_SYNCS: usize = 8;

/// Waits for a file's sync and placing: the folder to sync, if any.
async fn finish(
    task: tokio::task::JoinHandle<Result<Option<std::path::PathBuf>, crate::error::Error>>,
) -> Result<Option<std::path::PathBuf>, UploadError> {
    match task.await {
        Ok(Ok(dir)) => Ok(dir),
        Ok(Err(e)) => Err(UploadError::new(StatusCode::INTERNAL_SERVER_ERROR, e.message)),
        Err(e) => Err(UploadError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

/// The name an upload goes by: the last component of what the browser
/// sent, without control characters, at most 200 characters.
pub fn display_name(sent: Option<&str>) -> String {
    let last = sent.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        "名前のないファイル".to_string()
    } else {
        clean
    }
}

/// Receives the files of the multipart fields named `field`. When `csrf`
/// is given (a session's form without the CSRF header), the first field
/// must be `csrf` with that value. Other fields are ignored. Every file is
/// synced and in its place before this returns, not yet recorded; after a
/// refusal the caller records nothing (the files already placed are
/// harmless: nothing refers to them).
pub async fn receive(
    store: &Arc<Store>,
    mut multipart: Multipart,
    field: &str,
    limits: Limits,
    csrf: Option<&str>,
) -> Result<Vec<Upload>, UploadError> {
    let mut uploads = Vec::new();
    let mut csrf_ok = csrf.is_none();
    let malformed = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::new(
                status,
                format!(
                    "送ったファイルが大きすぎます（1 回に {} MB まで）。何回かに分けて送ってください。",
                    limits.request_bytes / 1_000_000
                ),
            )
        } else {
            UploadError::new(StatusCode::BAD_REQUEST, format!("送られたフォームのデータを読めません（{e}）。"))
        }
    };
    // A request over a limit is read to its end (and dropped) before the
    // refusal is answered, so that the browser sees the answer instead of a
    // connection closed while it was still sending.
    let mut refusal: Option<UploadError> = None;
    let mut pending: Vec<tokio::task::JoinHandle<Result<Option<std::path::PathBuf>, crate::error::Error>>> = Vec::new();
    let mut dirs = std::collections::BTreeSet::new();
    while let Some(mut part) = multipart.next_field().await.map_err(malformed)? {
        let name = part.name().unwrap_or("").to_string();
        if refusal.is_some() {
            while part.chunk().await.map_err(malformed)?.is_some() {}
            continue;
        }
        if name == "csrf" {
            let value = part.text().await.map_err(malformed)?;
            if let Some(expected) = csrf {
                csrf_ok = same_secret(value.trim(), expected);
            }
            continue;
        }
        if !csrf_ok {
            refusal = Some(UploadError::new(
                StatusCode::FORBIDDEN,
                "フォームの確認用トークン（CSRF）がないか、違います。ページを開き直してからもう一度送ってください。",
            ));
            while part.chunk().await.map_err(malformed)?.is_some() {}
            continue;
        }
        if name != field {
            while part.chunk().await.map_err(malformed)?.is_some() {}
            continue;
        }
        if uploads.len() >= limits.files {
            refusal = Some(UploadError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("1 回に送れるファイルは {} 個までです。何回かに分けて送ってください。", limits.files),
            ));
            while part.chunk().await.map_err(malformed)?.is_some() {}
            continue;
        }
        // A browser sends a file field left empty as a part without a name.
        let unnamed = part.file_name().is_none_or(|n| n.is_empty());
        let shown = display_name(part.file_name());
        let temp = store.temp_file().map_err(|e| UploadError::new(StatusCode::INTERNAL_SERVER_ERROR, e.message))?;
        let mut file = temp.as_file().try_clone().map_err(|e| {
            UploadError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("一時ファイルを開けません（{e}）。"))
        })?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = part.chunk().await.map_err(malformed)? {
            size += chunk.len() as u64;
            if size > limits.file_bytes {
                refusal = Some(UploadError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "「{shown}」が大きすぎます（1 ファイル {} MB まで）。Excel で不要なシートや画像を消して保存し直してください。",
                        limits.file_bytes / 1_000_000
                    ),
                ));
                while part.chunk().await.map_err(malformed)?.is_some() {}
                break;
            }
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(|e| {
                UploadError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("受け取ったファイルを書けません（{e}）。"))
            })?;
        }
        if refusal.is_some() || (unnamed && size == 0) {
            continue;
        }
        let sha256 = hex(&hasher.finalize());
        if pending.len() >= PARALLEL_SYNCS {
            dirs.extend(finish(pending.remove(0)).await?);
        }
        let store = store.clone();
        let blob = sha256.clone();
        pending.push(tokio::task::spawn_blocking(move || {
            file.sync_all()
                .map_err(|e| crate::error::Error::output(format!("受け取ったファイルを保存できません（{e}）。")))?;
            store.place(temp, &blob)
        }));
        uploads.push(Upload { name: shown, sha256, size });
    }
    for p in pending {
        dirs.extend(finish(p).await?);
    }
    let s2 = store.clone();
    tokio::task::spawn_blocking(move || s2.sync_dirs(dirs.iter()))
        .await
        .map_err(|e| UploadError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| UploadError::new(StatusCode::INTERNAL_SERVER_ERROR, e.message))?;
    if let Some(r) = refusal {
        return Err(r);
    }
    if !csrf_ok {
        return Err(UploadError::new(
            StatusCode::FORBIDDEN,
            "フォームの確認用トークン（CSRF）がないか、違います。ページを開き直してからもう一度送ってください。",
        ));
    }
    if uploads.is_empty() {
        return Err(UploadError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("ファイルが送られていません（フォームの「{field}」欄にブックを付けてください）。"),
        ));
    }
    Ok(uploads)
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_are_text_not_paths() {
        assert_eq!(display_name(Some("C01_勝田.xlsx")), "C01_勝田.xlsx");
        assert_eq!(display_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(display_name(Some("C:\\Users\\a\\提出\\C02.xlsx")), "C02.xlsx");
        assert_eq!(display_name(Some("a\u{0}b\nc.xlsx")), "abc.xlsx");
        assert_eq!(display_name(Some("")), "名前のないファイル");
        assert_eq!(display_name(None), "名前のないファイル");
        assert_eq!(display_name(Some(&"あ".repeat(300))).chars().count(), 200);
    }
}
