//! Flat rows → nested sections, as users lay out sheets: a 章 column
//! filled on the first row of each 章 (or on every row) groups the rows
//! below it. Used by the 議案 reader ([`group_consecutive`]) and by the
//! templates' `group_by` helper ([`group_json`]).

/// Groups items by key, in order. A `None` key continues the group above
/// (users often fill a 章 cell only on its first row). Returns the groups
/// and, for a key that appears again after another key, the index of the
/// item that starts the second run (so the caller can report it).
///
/// ```
/// use keikaku::grouping::group_consecutive;
/// let rows = vec![(Some("はじめに"), 1), (None, 2), (Some("基本方針"), 3), (Some("基本方針"), 4)];
/// let (groups, split) = group_consecutive(rows);
/// assert_eq!(groups, vec![("はじめに", vec![1, 2]), ("基本方針", vec![3, 4])]);
/// assert_eq!(split, None);
/// ```
pub fn group_consecutive<K: PartialEq + Clone, T>(items: Vec<(Option<K>, T)>) -> (Vec<(K, Vec<T>)>, Option<usize>) {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    let mut split = None;
    for (i, (key, item)) in items.into_iter().enumerate() {
        match (key, groups.last_mut()) {
            (None, Some(g)) => g.1.push(item),
            (Some(k), Some(g)) if g.0 == k => g.1.push(item),
            (Some(k), _) => {
                if split.is_none() && groups.iter().any(|g| g.0 == k) {
                    split = Some(i);
                }
                groups.push((k, vec![item]));
            }
            // A continuation with nothing above: the caller checks for this first.
            (None, None) => {}
        }
    }
    (groups, split)
}

/// Groups JSON records by one or more columns, for templates
/// (`{{#each (group_by rows "章" "項")}}`). Each group is
/// `{"key": …, "rows": [...], "groups": [...]}`; `groups` holds the next
/// level when more columns are given. An empty or missing key continues the
/// group above.
pub fn group_json(rows: &[serde_json::Value], keys: &[String]) -> serde_json::Value {
    use serde_json::{json, Value};
    let Some((first, rest)) = keys.split_first() else {
        return Value::Array(rows.to_vec());
    };
    let keyed: Vec<(Option<Value>, Value)> = rows
        .iter()
        .map(|r| {
            let k = r.get(first).filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty())).cloned();
            (k, r.clone())
        })
        .collect();
    // Leading rows without a key form a group with an empty key.
    let keyed: Vec<(Option<Value>, Value)> = {
        let mut seen = false;
        keyed
            .into_iter()
            .map(|(k, r)| {
                seen |= k.is_some();
                (if !seen { Some(Value::String(String::new())) } else { k }, r)
            })
            .collect()
    };
    let (groups, _) = group_consecutive(keyed);
    Value::Array(
        groups
            .into_iter()
            .map(|(k, rows)| {
                let sub = if rest.is_empty() { Value::Array(vec![]) } else { group_json(&rows, rest) };
                json!({"key": k, "rows": rows, "groups": sub})
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn second_run_of_a_key_is_reported() {
        let (g, split) = group_consecutive(vec![(Some(1), 'a'), (Some(2), 'b'), (Some(1), 'c')]);
        assert_eq!(g.len(), 3);
        assert_eq!(split, Some(2));
    }

    #[test]
    fn json_rows_group_into_nested_sections() {
        let rows = vec![
            json!({"章": "基本方針", "項": "研修", "本文": "a"}),
            json!({"章": "", "項": "研修", "本文": "b"}),
            json!({"章": null, "項": "連携", "本文": "c"}),
            json!({"章": "日程", "項": "総会", "本文": "d"}),
        ];
        let g = group_json(&rows, &["章".into(), "項".into()]);
        assert_eq!(g[0]["key"], "基本方針");
        assert_eq!(g[0]["rows"].as_array().unwrap().len(), 3);
        assert_eq!(g[0]["groups"][0]["key"], "研修");
        assert_eq!(g[0]["groups"][0]["rows"].as_array().unwrap().len(), 2);
        assert_eq!(g[0]["groups"][1]["key"], "連携");
        assert_eq!(g[1]["key"], "日程");
    }
}
