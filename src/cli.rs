//! The command line. Messages to the user are Japanese; exit code 0 on
//! success, 2 for bad input, 1 when an output cannot be written.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::error::Error;
use crate::fonts::{FontSet, FontSpec};
use crate::pdf::PdfOptions;
use crate::{output, template};

/// keikaku（計画）: 介護・福祉の計画書類（議案、PDCA シート、センター計画）を Excel から作ります。
#[derive(Debug, Parser)]
#[command(name = "keikaku", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// テンプレート（.hbs）と JSON データから PDF を作ります。
    Render(RenderArgs),
}

/// Font choice shared by every PDF command.
#[derive(Debug, Args)]
struct FontArgs {
    /// 本文（明朝）に使うフォント。.ttf / .otf / .ttc（.ttc は「パス#番号」、例: msmincho.ttc#0）
    #[arg(long, value_name = "PATH")]
    mincho: Option<String>,
    /// 見出し（ゴシック）に使うフォント。.ttf / .otf / .ttc（「パス#番号」）
    #[arg(long, value_name = "PATH")]
    gothic: Option<String>,
}

impl FontArgs {
    fn load(&self) -> Result<FontSet, Error> {
        let m = self.mincho.as_deref().map(FontSpec::parse).transpose()?;
        let g = self.gothic.as_deref().map(FontSpec::parse).transpose()?;
        FontSet::with_overrides(m.as_ref(), g.as_ref())
    }
}

#[derive(Debug, Args)]
struct RenderArgs {
    /// handlebars テンプレート（レイアウトのマークアップを出力するもの）
    #[arg(long, value_name = "FILE.hbs")]
    template: PathBuf,
    /// テンプレートに渡すデータ（JSON）
    #[arg(long, value_name = "FILE.json")]
    data: PathBuf,
    /// 出力する PDF
    #[arg(short, long, value_name = "OUT.pdf")]
    output: PathBuf,
    /// 展開したマークアップもこのファイルに書き出します（テンプレートの確認用）
    #[arg(long, value_name = "FILE.xml")]
    emit_markup: Option<PathBuf>,
    #[command(flatten)]
    fonts: FontArgs,
}

fn read_json(path: &Path) -> Result<serde_json::Value, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(format!("データ「{}」を読めません: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "{} {}行{}列: データが JSON として正しくありません（{e}）。",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

fn render(args: &RenderArgs) -> Result<String, Error> {
    let data = read_json(&args.data)?;
    let markup = template::render_file(&args.template, &data)?;
    if let Some(p) = &args.emit_markup {
        output::write_atomic(p, markup.as_bytes())?;
    }
    let fonts = args.fonts.load()?;
    let origin = format!("「{}」を展開したマークアップ", args.template.display());
    let bytes = crate::markup_to_pdf(&markup, &origin, &fonts, &PdfOptions::from_env()?).map_err(|e| {
        if e.message.contains("マークアップ") && args.emit_markup.is_none() {
            Error { message: format!("{}\n（--emit-markup FILE で展開後のマークアップを確認できます）", e.message), ..e }
        } else {
            e
        }
    })?;
    output::write_atomic(&args.output, &bytes)?;
    Ok(format!("{} を作成しました（{} バイト）。", args.output.display(), bytes.len()))
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let result = match &cli.command {
        Command::Render(a) => render(a),
    };
    match result {
        Ok(msg) => {
            eprintln!("{msg}");
            0
        }
        Err(e) => {
            eprintln!("エラー: {e}");
            e.exit_code()
        }
    }
}
