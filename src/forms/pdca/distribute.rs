//! `keikaku pdca distribute`: one protected workbook (and optionally a
//! PDF) per centre with a PDCA sheet per 事業 it answers.
//!
//! The work per centre is: the sheets' [`Grid`]s ([`super::sheets`]), the
//! identity properties, the xlsx bytes ([`crate::xlsx::write_grids`]), and
//! with `--pdf` the same sheets through the `pdca.hbs` template and the
//! typesetting engine. Naming, staging and what may be replaced are the
//! generic job's ([`crate::jobs::distribute::distribute_centres`]).

use std::path::Path;

use serde_json::{json, Value as Json};

use crate::error::Error;
use crate::fonts::FontSet;
use crate::forms::grid::Grid;
use crate::forms::property;
use crate::jobs::distribute::{centre_stem, distribute_centres, CentreFiles, Options, Summary};
use crate::pdf::PdfOptions;
use crate::wareki;
use crate::{template, xlsx};

use super::master::{paragraphs, Centre, Master, Project};
use super::sheets as pdca;

/// Who a PDCA centre's workbook is for.
pub fn recipient(centre: &Centre) -> crate::forms::Recipient<'_> {
    crate::forms::Recipient { id: &centre.id, name: &centre.name }
}

/// [`centre_stem`] of a PDCA centre.
pub fn file_stem(centre: &Centre) -> String {
    centre_stem(&centre.id, &centre.name)
}

/// The custom document properties of a centre's workbook, given the
/// centre's 事業.
pub fn properties(master: &Master, centre: &Centre, projects: &[&Project]) -> Vec<(&'static str, String)> {
    vec![
        (property::FORM, super::FORM.kind.to_string()),
        (property::SCHEMA, super::FORM.schema.to_string()),
        (property::CENTRE, centre.id.clone()),
        (property::FISCAL_YEAR, master.plan.fiscal_year.to_string()),
        (property::PLAN_HASH, pdca::plan_hash(&master.plan, recipient(centre), projects.iter().copied())),
    ]
}

/// A centre's workbook, given the centre's 事業: its sheets and the xlsx
/// bytes. `created`: the creation date when `SOURCE_DATE_EPOCH` is not set.
pub fn centre_workbook(
    master: &Master,
    centre: &Centre,
    projects: &[&Project],
    created: Option<&str>,
) -> Result<(Vec<Grid>, Vec<u8>), Error> {
    let sheets = pdca::sheets_of(master, &centre.name, projects);
    let props = properties(master, centre, projects);
    let title = format!("{} PDCAシート {}", master.plan.name, centre.name);
    let bytes = xlsx::write_grids(&xlsx::FormBook {
        title: &title,
        footer: &centre.name,
        properties: &props,
        sheets: &sheets,
        created,
    })?;
    Ok((sheets, bytes))
}

/// The data `pdca.hbs` gets for one centre, given the centre's 事業.
pub fn template_data(master: &Master, centre: &Centre, projects: &[&Project]) -> Json {
    let plan = &master.plan;
    let years = plan.years();
    let reported = plan.reported_years();
    let short = |y: &i32| wareki::format_fiscal_year_short(*y);
    let projects: Vec<Json> = projects
        .iter()
        .map(|p| {
            let indicators: Vec<Json> = p
                .indicators
                .iter()
                .map(|i| {
                    let cells: Vec<Json> = years
                        .iter()
                        .zip(&i.plan)
                        .map(|(y, v)| json!({ "plan": v.as_deref().unwrap_or(""), "open": reported.contains(y) }))
                        .collect();
                    json!({ "name": i.name, "years": cells })
                })
                .collect();
            json!({
                "number": p.number,
                "name": p.name,
                "goal": p.goal,
                "area": p.area,
                "situation": p.situation,
                "policy": p.policy,
                "paragraphs_situation": paragraphs(&p.situation),
                "paragraphs_policy": paragraphs(&p.policy),
                // Rows the PLAN and 達成目標 labels span (rowspan).
                "target_rows": 1 + 2 * p.indicators.len().max(1) - usize::from(p.indicators.is_empty()),
                "plan_rows": 3 + 2 * p.indicators.len().max(1) - usize::from(p.indicators.is_empty()),
                "indicators": indicators,
            })
        })
        .collect();
    json!({
        "plan": {
            "name": plan.name,
            "organisation": plan.organisation,
            "fiscal_year": plan.fiscal_year,
            "check_point": plan.check_point,
            "years": years.iter().map(short).collect::<Vec<_>>(),
            "year_count": years.len(),
            // colspan of the wide text cells (from 取組み to the last year).
            "body_span": years.len() + 2,
            // The 記入者 label and input, after 記入日 (which takes the 取組み column).
            "writer_label_span": if years.len() > 1 { 2 } else { 1 },
            "writer_span": years.len().saturating_sub(1).max(1),
            "do_rows": reported.len() + 1,
            "reported_years": reported.iter().map(short).collect::<Vec<_>>(),
            "period": format!("{}～{}", short(&plan.first_year), short(&plan.last_year)),
        },
        "centre": centre,
        "directions": pdca::DIRECTIONS,
        "projects": projects,
    })
}

/// A centre's PDF: the same sheets, typeset for printing.
pub fn centre_pdf(
    master: &Master,
    centre: &Centre,
    projects: &[&Project],
    templates: Option<&Path>,
    fonts: &FontSet,
    opts: &PdfOptions,
) -> Result<Vec<u8>, Error> {
    let data = template_data(master, centre, projects);
    let markup = template::render_named("pdca.hbs", templates, &data)?;
    crate::markup_to_pdf(&markup, "pdca.hbs を展開したマークアップ", fonts, opts)
        .map_err(|e| e.context(format!("センター {}（{}）の PDF", centre.id, centre.name)))
}

/// Writes every centre's PDCA outputs into `out_dir`. `progress` is called
/// after each centre with the number done so far. Centres are made in
/// parallel (one workbook per thread at a time); the files do not depend on
/// the order.
pub fn distribute(
    master: &Master,
    out_dir: &Path,
    opts: &Options,
    progress: impl Fn(usize) + Sync,
) -> Result<Summary, Error> {
    let centres: Vec<(&str, &str)> = master.centres.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
    let by_centre = master.projects_by_centre();
    let busy: Vec<bool> = by_centre.iter().map(|p| !p.is_empty()).collect();
    let extensions: &[&str] = if opts.pdf.is_some() { &["xlsx", "pdf"] } else { &["xlsx"] };
    let make = |c: usize| -> Result<CentreFiles, Error> {
        let (centre, projects) = (&master.centres[c], &by_centre[c]);
        let (_, bytes) = centre_workbook(master, centre, projects, opts.created)?;
        let mut files = vec![("xlsx", bytes)];
        if let Some((fonts, pdf_opts)) = opts.pdf {
            files.push(("pdf", centre_pdf(master, centre, projects, opts.templates, fonts, pdf_opts)?));
        }
        Ok((files, projects.len()))
    };
    distribute_centres(&super::FORM, &centres, &busy, extensions, out_dir, opts.master_path, make, progress)
}
