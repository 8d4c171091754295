//! The command line. Messages to the user are Japanese; exit code 0 on
//! success, 2 for bad input, 1 when an output cannot be written.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::fonts::{FontSet, FontSpec};
use crate::forms::pdca::distribute;
use crate::forms::pdca::master as pdca;
use crate::forms::plan::master as plan;
use crate::jobs::init::{master_workbook, read_json, read_json_for_cells};
use crate::pdf::PdfOptions;
use crate::workbook::Workbook;
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
    /// 議案の入力ブック（.xlsx）から議案の PDF を作ります。
    Agenda(AgendaArgs),
    /// 入力用の空のブック（見出し・説明・選択リスト付き）を作ります。
    Init(InitArgs),
    /// PDCA シート: マスターからセンターごとのブックを配布します。
    #[command(subcommand)]
    Pdca(PdcaCommand),
    /// センター計画: マスターからセンターごとの計画シートを配布し、戻ったブックから事業計画書を作ります。
    #[command(subcommand)]
    Plan(PlanCommand),
    /// テンプレート（.hbs）と JSON データから PDF を作ります。
    Render(RenderArgs),
    /// ブラウザーで使う作業画面を、このパソコンの中で開きます（表示されたリンクをブラウザーで開きます）。
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// データ（回・提出されたブック・作ったファイル・データベース）を置くフォルダー
    #[arg(long, value_name = "DIR", default_value = "keikaku-data")]
    data: PathBuf,
    /// 待ち受けるアドレスとポート。ふつうはこのパソコンの中だけ（127.0.0.1 か [::1]）で、ほかのアドレス（0.0.0.0 など）は --public-url と一緒に使います。ポート 0 で空いているものを使います
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// 1 ファイルの大きさの上限（MB）
    #[arg(long, value_name = "MB", default_value_t = 50)]
    max_file_mb: u64,
    /// 1 回に送れるファイルの数の上限
    #[arg(long, value_name = "N", default_value_t = 2000)]
    max_files: usize,
    /// 1 回に送れる大きさの上限（MB）
    #[arg(long, value_name = "MB", default_value_t = 1000)]
    max_request_mb: u64,
    /// センターが提出用リンクで開くアドレス（例: https://keikaku.example.jp）。このパソコンの外で待ち受けるときに必要です
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// 事務局の画面と API を、このパソコンからだけ使えるようにします（センターのリンクはどこからでも使えます）
    #[arg(long)]
    admin_local: bool,
    /// 同じパソコンのリバースプロキシの後ろで動かします（接続元のアドレスを X-Forwarded-For の最後から取ります）
    #[arg(long)]
    trust_proxy: bool,
    /// HTTPS で待ち受けます: 証明書（PEM、中間証明書も続けて）。--tls-key と一緒に
    #[arg(long, value_name = "CERT.pem", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// HTTPS の秘密鍵（PEM）。--tls-cert と一緒に
    #[arg(long, value_name = "KEY.pem", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct AgendaArgs {
    /// 議案の入力ブック（.xlsx / .xlsm / .xls / .ods）。`keikaku init agenda` で作れます
    #[arg(value_name = "DATA.xlsx")]
    data: PathBuf,
    /// 出力先。.pdf で終わればそのファイル、それ以外はフォルダー（中に「入力ファイル名.pdf」を作ります）
    #[arg(short, long, value_name = "OUT_DIR_OR_FILE")]
    output: PathBuf,
    /// 同じ名前のテンプレート（agenda.hbs）があればそれを使うフォルダー
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// テンプレートに渡すデータ（JSON）もこのファイルに書き出します
    #[arg(long, value_name = "FILE.json")]
    emit_data: Option<PathBuf>,
    /// 展開したマークアップもこのファイルに書き出します（テンプレートの確認用）
    #[arg(long, value_name = "FILE.xml")]
    emit_markup: Option<PathBuf>,
    #[command(flatten)]
    fonts: FontArgs,
}

/// Which input workbook `init` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum InitKind {
    /// 議案書（「表紙」「議案一覧」と議案ごとのシート）。空で作ると議案の種類ごとの見本が入ります。--from の JSON に motions があれば議案書、なければ議案 1 件
    Agenda,
    /// 議案 1 件（「議案」「本文」「日程」シート）。見本の議案が入ります
    AgendaItem,
    /// PDCA のマスター（「計画」「センター」「事業」「達成目標」シート）
    Pdca,
    /// センター計画のマスター（「計画」「センター」「区分」「項目」シート）
    Plan,
}

#[derive(Debug, Subcommand)]
enum PlanCommand {
    /// マスターブックから、センターごとに保護付きの計画シート（.xlsx）を作ります。
    Distribute(PlanDistributeArgs),
    /// センターから戻ったブックを読んで確かめ、事業計画書（事業計画書.pdf、事業計画書.xlsx）と提出状況を作ります。
    Collect(CollectArgs),
}

#[derive(Debug, Args)]
struct PlanDistributeArgs {
    /// センター計画のマスターブック。`keikaku init plan` で作れます
    #[arg(value_name = "MASTER.xlsx")]
    master: PathBuf,
    /// 出力先のフォルダー（センターごとに「ID_名称.xlsx」を作ります）
    #[arg(short, long, value_name = "OUT_DIR")]
    output: PathBuf,
}

#[derive(Debug, Subcommand)]
enum PdcaCommand {
    /// マスターブックから、センターごとに保護付きの PDCA ブック（.xlsx）を作ります。
    Distribute(DistributeArgs),
    /// センターから戻ったブックを読んで確かめ、集計（集計.xlsx、結果報告.pdf）と提出状況を作ります。
    Collect(CollectArgs),
}

#[derive(Debug, Args)]
struct CollectArgs {
    /// 配布に使ったマスターブック
    #[arg(value_name = "MASTER.xlsx")]
    master: PathBuf,
    /// 提出されたブック、またはそれを入れたフォルダー（中のフォルダーも探します）。いくつでも
    #[arg(value_name = "SUBMISSIONS", required = true)]
    submissions: Vec<PathBuf>,
    /// 出力先のフォルダー（PDCA は 集計.xlsx と 結果報告.pdf、センター計画は 事業計画書.xlsx と 事業計画書.pdf）
    #[arg(short, long, value_name = "OUT_DIR")]
    output: PathBuf,
    /// 直すところのあるセンターごとに、差戻しの一覧（ID_名称_差戻し.xlsx）をこのフォルダーに作ります
    #[arg(long, value_name = "DIR")]
    returns: Option<PathBuf>,
    /// PDF を作りません（ブックだけ）
    #[arg(long)]
    no_pdf: bool,
    /// 同じ名前のテンプレート（PDCA は report.hbs、センター計画は plan.hbs）があればそれを使うフォルダー
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(flatten)]
    fonts: FontArgs,
}

#[derive(Debug, Args)]
struct DistributeArgs {
    /// PDCA のマスターブック。`keikaku init pdca` で作れます
    #[arg(value_name = "MASTER.xlsx")]
    master: PathBuf,
    /// 出力先のフォルダー（センターごとに「ID_名称.xlsx」を作ります）
    #[arg(short, long, value_name = "OUT_DIR")]
    output: PathBuf,
    /// センターごとの PDF（印刷用）も作ります
    #[arg(long)]
    pdf: bool,
    /// 同じ名前のテンプレート（pdca.hbs）があればそれを使うフォルダー
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(flatten)]
    fonts: FontArgs,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// 作るブックの種類
    kind: InitKind,
    /// 書き出すブック（.xlsx）
    #[arg(short, long, value_name = "OUT.xlsx")]
    output: PathBuf,
    /// 空のブックの代わりに、JSON のデータ（samples/agenda.json、samples/pdca_master.json、samples/plan_master.json の形）を入れたブックを作ります
    #[arg(long, value_name = "FILE.json")]
    from: Option<PathBuf>,
    /// 出力先に同じ名前のファイルがあっても上書きします
    #[arg(long)]
    force: bool,
}

/// Font choice and PDF standard, shared by every PDF command.
#[derive(Debug, Args)]
struct FontArgs {
    /// PDF の規格。a-2b で長期保存用の PDF/A-2b（XMP メタデータと sRGB の出力インテント付き）にします
    #[arg(long, value_name = "a-2b", value_parser = parse_standard)]
    pdf_standard: Option<crate::markup::PdfStandard>,
    /// 本文（明朝）に使うフォント。TrueType アウトラインの .ttf / .otf / .ttc（.ttc は「パス#番号」、例: msmincho.ttc#0）
    #[arg(long, value_name = "PATH")]
    mincho: Option<String>,
    /// 見出し（ゴシック）に使うフォント。TrueType アウトラインの .ttf / .otf / .ttc（「パス#番号」）
    #[arg(long, value_name = "PATH")]
    gothic: Option<String>,
}

/// `--pdf-standard`'s value.
fn parse_standard(s: &str) -> Result<crate::markup::PdfStandard, String> {
    crate::markup::PdfStandard::parse(s)
        .ok_or_else(|| format!("「{s}」は使えません。PDF/A-2b にするなら a-2b と指定してください。"))
}

impl FontArgs {
    /// The PDF writer's options: `SOURCE_DATE_EPOCH` and `--pdf-standard`.
    fn pdf_options(&self) -> Result<PdfOptions, Error> {
        Ok(PdfOptions { standard: self.pdf_standard, ..PdfOptions::from_env()? })
    }

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

/// `-o`: a `.pdf` file, or a folder that receives `<input stem>.pdf`.
fn pdf_destination(output: &Path, input: &Path) -> Result<PathBuf, Error> {
    let is_pdf = output.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        return Ok(output.to_path_buf());
    }
    if output.exists() && !output.is_dir() {
        return Err(Error::input(format!(
            "出力先 {} はフォルダーではなく、.pdf でもありません。PDF のファイル名（〜.pdf）かフォルダーを指定してください。",
            output.display()
        )));
    }
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "議案".into());
    Ok(output.join(format!("{stem}.pdf")))
}

/// Refuses an output folder that exists as a file.
fn require_folder(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::input(format!(
            "出力先 {} はフォルダーではありません。フォルダーを指定してください。",
            dir.display()
        )));
    }
    Ok(())
}

/// Refuses to run when an output is one of the inputs: the same file
/// (device and inode, or canonical path), whatever the paths look like, so
/// that no run writes over what it reads.
fn check_outputs_not_inputs(outputs: &[&Path], inputs: &[(&str, &Path)]) -> Result<(), Error> {
    for out in outputs {
        if let Some((what, input)) = inputs.iter().find(|(_, i)| output::same_file(i, out)) {
            return Err(Error::input(format!(
                "出力先 {} は入力の{what} {} と同じファイルです。上書きすると入力が失われるため、何も書きません。別の出力先を指定してください。",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

impl FontArgs {
    /// The font files given, for [`check_outputs_not_inputs`].
    fn paths(&self) -> Vec<PathBuf> {
        [&self.mincho, &self.gothic]
            .into_iter()
            .flatten()
            .filter_map(|s| FontSpec::parse(s).ok())
            .map(|f| f.path)
            .collect()
    }
}

fn run_agenda(args: &AgendaArgs) -> Result<String, Error> {
    let dest = pdf_destination(&args.output, &args.data)?;
    let template = args.templates.as_ref().map(|d| d.join("agenda.hbs"));
    let fonts = args.fonts.paths();
    let mut inputs: Vec<(&str, &Path)> = vec![("ブック", &args.data)];
    inputs.extend(template.as_deref().map(|t| ("テンプレート", t)));
    inputs.extend(fonts.iter().map(|f| ("フォント", f.as_path())));
    let outputs: Vec<&Path> =
        std::iter::once(dest.as_path()).chain(args.emit_data.as_deref()).chain(args.emit_markup.as_deref()).collect();
    check_outputs_not_inputs(&outputs, &inputs)?;
    let wb = Workbook::open(&args.data)?;
    let fonts = args.fonts.load()?;
    let crate::forms::agenda::Rendered { summary, data, markup, pdf: bytes, .. } =
        crate::forms::agenda::render(&wb, &fonts, args.templates.as_deref(), &args.fonts.pdf_options()?)?;
    if let Some(p) = &args.emit_data {
        let json = serde_json::to_string_pretty(&data).map_err(|e| Error::internal(e.to_string()))?;
        output::write_atomic(p, json.as_bytes())?;
    }
    if let Some(p) = &args.emit_markup {
        output::write_atomic(p, markup.as_bytes())?;
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::output(format!("出力先のフォルダー {} を作れません（{e}）。", dir.display())))?;
    }
    output::write_atomic(&dest, &bytes)?;
    Ok(format!("{} を作成しました（{summary}、{} バイト）。", dest.display(), bytes.len()))
}

fn run_init(args: &InitArgs) -> Result<String, Error> {
    if args.output.exists() && !args.force {
        return Err(Error::input(format!(
            "{} はすでにあります。入力済みのブックを消さないよう、上書きしません（上書きするときは --force）。",
            args.output.display()
        )));
    }
    if let Some(from) = &args.from {
        check_outputs_not_inputs(&[&args.output], &[("データ", from)])?;
    }
    let from = match &args.from {
        Some(p) => Some((p.as_path(), read_json_for_cells(p)?)),
        None => None,
    };
    let name = args.output.display().to_string();
    let bytes = match args.kind {
        InitKind::Agenda => crate::forms::agenda::init_workbook(from, &name)?,
        InitKind::AgendaItem if from.is_some() => {
            return Err(Error::input(
                "agenda-item には --from を使えません。議案 1 件の JSON は「keikaku init agenda --from データ.json」で読めます。",
            ))
        }
        InitKind::AgendaItem => crate::forms::agenda::init_single_workbook(&name)?,
        InitKind::Pdca => master_workbook(&crate::forms::pdca::INIT, from, &name)?,
        InitKind::Plan => master_workbook(&crate::forms::plan::INIT, from, &name)?,
    };
    let names: Vec<String> = Workbook::from_bytes(&name, &bytes)?.sheets.iter().map(|s| format!("「{}」", s.name)).collect();
    output::write_atomic(&args.output, &bytes)?;
    Ok(format!(
        "{} を作成しました（シート {}）。見出しのセルのメモに入力のしかたがあります。",
        args.output.display(),
        names.join("")
    ))
}

fn run_distribute(args: &DistributeArgs) -> Result<String, Error> {
    require_folder(&args.output)?;
    let mut stages = crate::timing::Stages::start();
    let wb = Workbook::open(&args.master)?;
    stages.done("open master");
    let master = pdca::read(&wb)?;
    let saved = wb.saved.clone();
    drop(wb);
    stages.done("read master");
    let fonts = if args.pdf { Some(args.fonts.load()?) } else { None };
    let pdf_opts = args.fonts.pdf_options()?;
    let opts = crate::jobs::distribute::Options {
        pdf: fonts.as_ref().map(|f| (f, &pdf_opts)),
        templates: args.templates.as_deref(),
        created: saved.as_deref(),
        master_path: Some(&args.master),
    };
    let bar = crate::timing::progress_bar(master.centres.len(), "センター");
    let result = distribute::distribute(&master, &args.output, &opts, |_| bar.inc(1));
    bar.finish_and_clear();
    let summary = result?;
    let mut msg = format!(
        "{} に {} センター分、{} シートを作成しました（ファイル {} 個、{} 記入）。",
        args.output.display(),
        summary.centres,
        summary.sheets,
        summary.files.len(),
        crate::wareki::format_fiscal_year(master.plan.fiscal_year, crate::wareki::Digits::Ascii)
    );
    if !summary.idle.is_empty() {
        msg.push_str(&format!("\n担当する事業がないため作らなかったセンター: {}", summary.idle.join("、")));
    }
    Ok(msg)
}

/// Exit code of a collection whose outputs were written but which is not
/// complete: a centre missing, a file refused, or something to fix.
pub const EXIT_PARTIAL: i32 = 3;

/// What every collect run needs before it reads: the master, the files,
/// the fonts and the options.
struct CollectRun {
    files: Vec<crate::jobs::collect::Found>,
    fonts: Option<FontSet>,
    pdf_opts: PdfOptions,
    saved: Option<String>,
    protected: [PathBuf; 1],
}

impl CollectRun {
    /// Checks the folders, reads the master with `read`, finds the files.
    fn prepare<M>(args: &CollectArgs, read: impl Fn(&Workbook) -> Result<M, Error>) -> Result<(M, CollectRun), Error> {
        for dir in std::iter::once(&args.output).chain(args.returns.as_ref()) {
            require_folder(dir)?;
        }
        let mut stages = crate::timing::Stages::start();
        let wb = Workbook::open(&args.master)?;
        let master = read(&wb)?;
        let saved = wb.saved.clone();
        drop(wb);
        stages.done("master");
        let files = crate::jobs::collect::find_files(&args.submissions)?;
        let master_path = args.master.canonicalize().ok();
        let files: Vec<crate::jobs::collect::Found> =
            files.into_iter().filter(|f| f.path.canonicalize().ok() != master_path).collect();
        if files.is_empty() {
            return Err(Error::input(format!(
                "提出されたブック（.xlsx / .xlsm / .xls / .ods）が見つかりません: {}",
                args.submissions.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("、")
            )));
        }
        let fonts = if args.no_pdf { None } else { Some(args.fonts.load()?) };
        let run =
            CollectRun { files, fonts, pdf_opts: args.fonts.pdf_options()?, saved, protected: [args.master.clone()] };
        Ok((master, run))
    }

    fn options<'a>(&'a self, args: &'a CollectArgs) -> crate::jobs::collect::Options<'a> {
        crate::jobs::collect::Options {
            pdf: self.fonts.as_ref().map(|f| (f, &self.pdf_opts)),
            templates: args.templates.as_deref(),
            created: self.saved.as_deref(),
            returns: args.returns.as_deref(),
            protected: &self.protected,
        }
    }

    /// A progress bar over the files (drawn only on a terminal).
    fn bar(&self) -> indicatif::ProgressBar {
        crate::timing::progress_bar(self.files.len(), "ファイル")
    }

    /// The 提出状況 and what was written, and the exit code.
    fn finish<K>(
        &self,
        args: &CollectArgs,
        roster: &crate::jobs::collect::Roster,
        outcome: &crate::jobs::collect::Outcome<K>,
    ) -> (String, i32) {
        let mut msg = crate::jobs::collect::status_text(roster, &outcome.collection);
        let written: Vec<String> = outcome.files.iter().map(|p| p.display().to_string()).collect();
        msg.push_str(&format!("{} 個のファイルを読み、{} を作成しました。", self.files.len(), written.join("、")));
        if !outcome.returns.is_empty() {
            msg.push_str(&format!(
                "\n差戻しの一覧を {} センター分作成しました（{}）。",
                outcome.returns.len(),
                args.returns.as_deref().map(|d| d.display().to_string()).unwrap_or_default()
            ));
        }
        if outcome.collection.is_complete() {
            (msg, 0)
        } else {
            msg.push_str("\n集計は一部のセンターについて未完了です（終了コード 3）。");
            (msg, EXIT_PARTIAL)
        }
    }
}

fn run_collect(args: &CollectArgs) -> Result<(String, i32), Error> {
    let (master, run) = CollectRun::prepare(args, pdca::read)?;
    let bar = run.bar();
    let result =
        crate::forms::pdca::collect::collect(&master, &run.files, &args.output, &run.options(args), |_| bar.inc(1));
    bar.finish_and_clear();
    Ok(run.finish(args, &crate::forms::pdca::collect::roster(&master), &result?))
}

fn run_plan_collect(args: &CollectArgs) -> Result<(String, i32), Error> {
    let (master, run) = CollectRun::prepare(args, plan::read)?;
    let bar = run.bar();
    let result =
        crate::forms::plan::collect::collect(&master, &run.files, &args.output, &run.options(args), |_| bar.inc(1));
    bar.finish_and_clear();
    Ok(run.finish(args, &crate::forms::plan::collect::roster(&master), &result?))
}

fn run_plan_distribute(args: &PlanDistributeArgs) -> Result<String, Error> {
    require_folder(&args.output)?;
    let wb = Workbook::open(&args.master)?;
    let master = plan::read(&wb)?;
    let saved = wb.saved.clone();
    drop(wb);
    let summary = crate::forms::plan::distribute::distribute(
        &master,
        &args.output,
        saved.as_deref(),
        Some(&args.master),
        |_| {},
    )?;
    let mut msg = format!(
        "{} に {} センター分、{} シートを作成しました（ファイル {} 個、{}）。",
        args.output.display(),
        summary.centres,
        summary.sheets,
        summary.files.len(),
        master.title_line()
    );
    if !summary.idle.is_empty() {
        msg.push_str(&format!("\n回答する項目がないため作らなかったセンター: {}", summary.idle.join("、")));
    }
    Ok(msg)
}

fn run_serve(args: &ServeArgs) -> Result<String, Error> {
    let config = crate::serve::Config {
        data: args.data.clone(),
        listen: args.listen,
        limits: crate::serve::upload::Limits {
            file_bytes: args.max_file_mb.saturating_mul(1_000_000),
            files: args.max_files.max(1),
            request_bytes: args.max_request_mb.saturating_mul(1_000_000),
        },
        public_url: args.public_url.clone(),
        admin_local: args.admin_local,
        trust_proxy: args.trust_proxy,
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
    };
    let data = args.data.display().to_string();
    crate::serve::serve(&config, |url, link| {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let local = url.contains("://127.") || url.contains("://[::1]");
        let _ = writeln!(
            out,
            "keikaku serve: {url}/ で待ち受けています{}。",
            if local { "（このパソコンの中だけ）" } else { "" }
        );
        if let Some(link) = link {
            let _ = writeln!(out, "ブラウザーで次のリンクを開くと、ログインした状態で始まります（1 回だけ使えます）:");
            let _ = writeln!(out, "  {link}");
        }
        let _ = writeln!(
            out,
            "データのフォルダー: {data}（管理トークン: {}）",
            std::path::Path::new(&data).join("admin.token").display()
        );
        let _ = writeln!(out, "終わるときは Ctrl+C を押します。");
        let _ = out.flush();
    })?;
    Ok("keikaku serve を終了しました。".into())
}

fn render(args: &RenderArgs) -> Result<String, Error> {
    let fonts = args.fonts.paths();
    let mut inputs: Vec<(&str, &Path)> = vec![("テンプレート", &args.template), ("データ", &args.data)];
    inputs.extend(fonts.iter().map(|f| ("フォント", f.as_path())));
    let outputs: Vec<&Path> = std::iter::once(args.output.as_path()).chain(args.emit_markup.as_deref()).collect();
    check_outputs_not_inputs(&outputs, &inputs)?;
    let data = read_json(&args.data)?;
    let markup = template::render_file(&args.template, &data)?;
    if let Some(p) = &args.emit_markup {
        output::write_atomic(p, markup.as_bytes())?;
    }
    let fonts = args.fonts.load()?;
    let origin = format!("「{}」を展開したマークアップ", args.template.display());
    let bytes = crate::markup_to_pdf(&markup, &origin, &fonts, &args.fonts.pdf_options()?).map_err(|e| {
        if e.stage.is_some() && args.emit_markup.is_none() {
            Error {
                message: format!("{}\n（--emit-markup FILE で展開後のマークアップを確認できます）", e.message),
                ..e
            }
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
    let ok = |r: Result<String, Error>| r.map(|m| (m, 0));
    let result = match &cli.command {
        Command::Agenda(a) => ok(run_agenda(a)),
        Command::Init(a) => ok(run_init(a)),
        Command::Pdca(PdcaCommand::Distribute(a)) => ok(run_distribute(a)),
        Command::Pdca(PdcaCommand::Collect(a)) => run_collect(a),
        Command::Plan(PlanCommand::Distribute(a)) => ok(run_plan_distribute(a)),
        Command::Plan(PlanCommand::Collect(a)) => run_plan_collect(a),
        Command::Render(a) => ok(render(a)),
        Command::Serve(a) => ok(run_serve(a)),
    };
    match result {
        Ok((msg, code)) => {
            eprintln!("{msg}");
            code
        }
        Err(e) => {
            eprintln!("エラー: {e}");
            e.exit_code()
        }
    }
}
