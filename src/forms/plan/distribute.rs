//! `keikaku plan distribute`: one protected centre plan workbook per
//! centre, from a checked plan master ([`super::master`]), through the
//! same staging and naming as the PDCA distribution.

use std::path::Path;

use crate::error::Error;
use crate::forms::grid::Grid;
use crate::forms::property;
use crate::jobs::distribute::{distribute_centres, CentreFiles, Summary};
use crate::xlsx;

use super::master::{Centre, Master};
use super::sheets as plan;

/// Who a centre's plan workbook is for.
pub fn recipient(centre: &Centre) -> crate::forms::Recipient<'_> {
    crate::forms::Recipient { id: &centre.id, name: &centre.name }
}

/// The custom document properties of a centre's workbook, given the
/// centre's items (positions in [`Master::items`]).
pub fn properties(master: &Master, centre: &Centre, items: &[usize]) -> Vec<(&'static str, String)> {
    vec![
        (property::FORM, super::FORM.kind.to_string()),
        (property::SCHEMA, super::FORM.schema.to_string()),
        (property::CENTRE, centre.id.clone()),
        (property::FISCAL_YEAR, master.plan.fiscal_year.to_string()),
        (property::PLAN_HASH, plan::plan_hash(master, recipient(centre), items)),
    ]
}

/// A centre's workbook, given its items: the sheets and the xlsx bytes.
/// `created`: the creation date when `SOURCE_DATE_EPOCH` is not set.
pub fn centre_workbook(
    master: &Master,
    centre: &Centre,
    items: &[usize],
    created: Option<&str>,
) -> Result<(Vec<Grid>, Vec<u8>), Error> {
    let sheets = plan::sheets_of(master, &centre.name, items);
    let props = properties(master, centre, items);
    let title = format!("{} {}", master.title_line(), centre.name);
    let bytes = xlsx::write_grids(&xlsx::FormBook {
        title: &title,
        footer: &centre.name,
        properties: &props,
        sheets: &sheets,
        created,
    })?;
    Ok((sheets, bytes))
}

/// Writes every centre's workbook into `out_dir` (`ID_名称.xlsx`); see
/// [`crate::jobs::distribute::distribute_centres`]. `created`: the creation date when
/// `SOURCE_DATE_EPOCH` is not set (the master's save time).
pub fn distribute(
    master: &Master,
    out_dir: &Path,
    created: Option<&str>,
    master_path: Option<&Path>,
    progress: impl Fn(usize) + Sync,
) -> Result<Summary, Error> {
    let centres: Vec<(&str, &str)> = master.centres.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
    let by_centre = master.items_by_centre();
    let busy: Vec<bool> = by_centre.iter().map(|i| !i.is_empty()).collect();
    let make = |c: usize| -> Result<CentreFiles, Error> {
        let (sheets, bytes) = centre_workbook(master, &master.centres[c], &by_centre[c], created)?;
        Ok((vec![("xlsx", bytes)], sheets.len()))
    };
    distribute_centres(&super::FORM, &centres, &busy, &["xlsx"], out_dir, master_path, make, progress)
}
