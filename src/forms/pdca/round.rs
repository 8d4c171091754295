//! The PDCA master as a [`RoundMaster`]: what `keikaku serve` needs to
//! distribute it and collect it.

use std::path::{Path, PathBuf};

use super::collect::{self as pdca_collect, file};
use super::master::Master;
use crate::error::Error;
use crate::forms::round::{RoundCentre, RoundMaster, RoundOptions, RoundOutputs};
use crate::forms::FormKind;
use crate::jobs::collect::{Checked, Found, Standing};

impl RoundMaster for Master {
    fn form(&self) -> FormKind {
        super::FORM
    }

    fn title(&self) -> String {
        format!(
            "{} {}（{} 記入）",
            self.plan.organisation,
            self.plan.name,
            crate::wareki::format_fiscal_year(self.plan.fiscal_year, crate::wareki::Digits::Ascii)
        )
    }

    fn fiscal_year(&self) -> i32 {
        self.plan.fiscal_year
    }

    fn centres(&self) -> Vec<RoundCentre> {
        self.centres
            .iter()
            .zip(self.projects_by_centre())
            .map(|(c, projects)| RoundCentre {
                id: c.id.clone(),
                name: c.name.clone(),
                work: projects.iter().map(|p| format!("{} {}", p.number, p.name)).collect(),
            })
            .collect()
    }

    fn outputs(&self) -> RoundOutputs {
        RoundOutputs { summary: file::SUMMARY, report: file::REPORT }
    }

    fn distribute(
        &self,
        out_dir: &Path,
        opts: &RoundOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<PathBuf>, Error> {
        let opts = crate::jobs::distribute::Options {
            pdf: Some((opts.fonts, opts.pdf)),
            templates: None,
            created: opts.created,
            master_path: Some(opts.master_path),
        };
        Ok(super::distribute::distribute(self, out_dir, &opts, progress)?.files)
    }

    fn check(&self, file: &Found, opts: &RoundOptions) -> Result<Checked, Error> {
        opts.check_with(|options| pdca_collect::check(self, file, options))
    }

    fn collect(
        &self,
        files: &[Found],
        out_dir: &Path,
        returns: &Path,
        opts: &RoundOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Standing, Error> {
        opts.collect_with(returns, &pdca_collect::roster(self), |options| {
            pdca_collect::collect(self, files, out_dir, options, progress)
        })
    }
}
