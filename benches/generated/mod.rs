//! The generated master shared by the benchmarks: the sample's six 事業
//! copied for every centre, each copy with numbers of its own.

use keikaku::forms::pdca::master::{Centre, Indicator, Master, Project};

/// 事業 per generated centre.
pub const PROJECTS_PER_CENTRE: usize = 6;

/// The sample's six 事業, copied for each of `centres` centres with numbers
/// of their own.
pub fn generated_master(centres: usize) -> Master {
    let sample = Master::example();
    let mut all_centres = Vec::new();
    let mut projects = Vec::new();
    for c in 0..centres {
        let id = format!("C{:04}", c + 1);
        all_centres.push(Centre {
            id: id.clone(), name: format!("第{}地域包括支援センター", c + 1), contact: None
        });
        for (k, p) in sample.projects.iter().cycle().take(PROJECTS_PER_CENTRE).enumerate() {
            let mut indicators: Vec<Indicator> = p.indicators.iter().take(3).cloned().collect();
            while indicators.len() < 3 {
                indicators.push(Indicator { name: "取組み".into(), plan: vec![Some("1回".into()); 5] });
            }
            projects.push(Project {
                number: format!("{}-{}-{}", c + 1, k / 3 + 1, k % 3 + 1),
                centres: vec![id.clone()],
                indicators,
                ..p.clone()
            });
        }
    }
    Master { plan: sample.plan, centres: all_centres, projects }
}
