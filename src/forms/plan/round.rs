//! The centre plan master as a [`RoundMaster`]: what `keikaku serve` needs
//! to distribute it and collect it.

use std::path::{Path, PathBuf};

use super::collect::{self as plan_collect, file};
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
        self.title_line()
    }

    fn fiscal_year(&self) -> i32 {
        self.plan.fiscal_year
    }

    fn centres(&self) -> Vec<RoundCentre> {
        self.centres
            .iter()
            .zip(self.items_by_centre())
            .map(|(c, items)| RoundCentre {
                id: c.id.clone(),
                name: c.name.clone(),
                work: items
                    .iter()
                    .map(|&i| &self.items[i])
                    .map(|i| if i.name.is_empty() { i.number.clone() } else { format!("{} {}", i.number, i.name) })
                    .collect(),
            })
            .collect()
    }

    fn outputs(&self) -> RoundOutputs {
        RoundOutputs { summary: file::WORKBOOK, report: file::REPORT }
    }

    fn distribute(
        &self,
        out_dir: &Path,
        opts: &RoundOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<PathBuf>, Error> {
        Ok(super::distribute::distribute(self, out_dir, opts.created, Some(opts.master_path), progress)?.files)
    }

    fn check(&self, file: &Found, opts: &RoundOptions) -> Result<Checked, Error> {
        opts.check_with(|options| plan_collect::check(self, file, options))
    }

    fn collect(
        &self,
        files: &[Found],
        out_dir: &Path,
        returns: &Path,
        opts: &RoundOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Standing, Error> {
        opts.collect_with(returns, &plan_collect::roster(self), |options| {
            plan_collect::collect(self, files, out_dir, options, progress)
        })
    }
}
