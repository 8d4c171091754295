//! Attributes to styles: font, size, weight, line height and alignment
//! inherited through [`Ctx`], lengths with their units, box lengths,
//! colours and paragraph styles.

use roxmltree::Node;

use super::parse::{Ctx, Parser};
use super::schema::*;
use crate::error::Error;
use crate::fonts::Family;

impl Parser<'_, '_> {
    /// Applies `font`, `size`, `bold`, `line-height`, `align` and
    /// `line-start-bracket` of `node`.
    pub(super) fn ctx(&self, node: Node, parent: &Ctx) -> Result<Ctx, Error> {
        let mut c = parent.clone();
        if let Some(f) = node.attribute("font") {
            c.style.family = match f {
                "mincho" | "明朝" => Family::Mincho,
                "gothic" | "ゴシック" => Family::Gothic,
                other => {
                    return Err(
                        self.err(node, format!("font=\"{other}\" は使えません。mincho か gothic にしてください。"))
                    )
                }
            };
        }
        if let Some(s) = node.attribute("size") {
            let v = self.length(node, s, parent.style.size, true)?;
            if !(4.0..=72.0).contains(&v) {
                return Err(self.err(node, format!("文字の大きさ size=\"{s}\" は 4pt から 72pt の間にしてください。")));
            }
            c.style.size = v;
        }
        if let Some(b) = node.attribute("bold") {
            c.style.bold = self.boolean(node, "bold", b)?;
        }
        if let Some(l) = node.attribute("line-height") {
            let v: f32 = l
                .parse()
                .map_err(|_| self.err(node, format!("line-height=\"{l}\" は 1.5 のような倍率で書いてください。")))?;
            if !(0.8..=4.0).contains(&v) {
                return Err(self.err(node, format!("line-height=\"{l}\" は 0.8 から 4 の間にしてください。")));
            }
            c.line_height = v;
        }
        if let Some(a) = node.attribute("align") {
            c.align = self.align(node, a)?;
        }
        if let Some(b) = node.attribute("line-start-bracket") {
            c.style.line_start_bracket = match b {
                "trim" => LineStartBracket::Trim,
                "keep" => LineStartBracket::Keep,
                other => {
                    return Err(self.err(
                        node,
                        format!(
                            "line-start-bracket=\"{other}\" は使えません。行頭の始め括弧の二分アキを詰めるなら trim、\
                             全角のまま置くなら keep にしてください。"
                        ),
                    ))
                }
            };
        }
        Ok(c)
    }

    pub(super) fn align(&self, node: Node, a: &str) -> Result<Align, Error> {
        Ok(match a {
            "left" => Align::Left,
            "center" => Align::Center,
            "right" => Align::Right,
            "justify" => Align::Justify,
            other => {
                return Err(self.err(
                    node,
                    format!("align=\"{other}\" は使えません。left, center, right, justify のどれかにしてください。"),
                ))
            }
        })
    }

    pub(super) fn boolean(&self, node: Node, name: &str, v: &str) -> Result<bool, Error> {
        match v {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            other => Err(self.err(node, format!("{name}=\"{other}\" は true か false にしてください。"))),
        }
    }

    /// Parses a length: `12mm`, `1.5cm`, `10pt`, `2zw`/`2em` (full-width
    /// characters of the current size). A bare number is points when
    /// `bare_pt`, else an error.
    pub(super) fn length(&self, node: Node, s: &str, em: f32, bare_pt: bool) -> Result<f32, Error> {
        parse_length(s, em, bare_pt).ok_or_else(|| {
            self.err(
                node,
                format!("長さ「{s}」を読めません。12mm, 1.5cm, 10pt, 1zw（全角1字）のように単位を付けてください。"),
            )
        })
    }

    pub(super) fn box_lengths(&self, node: Node, s: &str, em: f32) -> Result<[f32; 4], Error> {
        let v: Vec<f32> = s.split_whitespace().map(|p| self.length(node, p, em, false)).collect::<Result<_, _>>()?;
        Ok(match v.as_slice() {
            [a] => [*a; 4],
            [tb, lr] => [*tb, *lr, *tb, *lr],
            [t, lr, b] => [*t, *lr, *b, *lr],
            [t, r, b, l] => [*t, *r, *b, *l],
            _ => {
                return Err(self.err(node, format!("margin=\"{s}\" は 1〜4 個の長さで書いてください（上 右 下 左）。")))
            }
        })
    }

    /// An optional length attribute. Only `indent` and `hanging` may be
    /// negative (a first line or a hanging marker out to the left); anything
    /// else negative would draw over other text or off the page.
    pub(super) fn opt_length(&self, node: Node, name: &str, em: f32, default: f32) -> Result<f32, Error> {
        match node.attribute(name) {
            Some(s) => {
                let v = self.length(node, s, em, false)?;
                if v < 0.0 && !matches!(name, "indent" | "hanging") {
                    return Err(self.err(node, format!("{name}=\"{s}\" に負の長さは使えません。")));
                }
                Ok(v)
            }
            None => Ok(default),
        }
    }

    pub(super) fn para_style(&self, node: Node, c: &Ctx, align: Align) -> Result<ParaStyle, Error> {
        let em = c.style.size;
        Ok(ParaStyle {
            align,
            indent: self.opt_length(node, "indent", em, 0.0)?,
            hanging: self.opt_length(node, "hanging", em, 0.0)?,
            left: self.opt_length(node, "left", em, 0.0)?,
            line_height: c.line_height,
            space_before: self.opt_length(node, "space-before", em, 0.0)?,
            space_after: self.opt_length(node, "space-after", em, 0.0)?,
            style: c.style,
        })
    }

    pub(super) fn color(&self, node: Node, s: &str) -> Result<Rgb, Error> {
        let bad = || self.err(node, format!("色「{s}」を読めません。#e6e6e6 のように書くか、none にしてください。"));
        let hex = s.strip_prefix('#').ok_or_else(bad)?;
        if hex.len() != 6 {
            return Err(bad());
        }
        let v = u32::from_str_radix(hex, 16).map_err(|_| bad())?;
        Ok(Rgb(((v >> 16) & 0xff) as f32 / 255.0, ((v >> 8) & 0xff) as f32 / 255.0, (v & 0xff) as f32 / 255.0))
    }
}

/// Parses `12mm`, `1.5cm`, `10pt`, `2zw`, `2em`; a bare number is pt when
/// `bare_pt` is true. Returns points.
pub fn parse_length(s: &str, em: f32, bare_pt: bool) -> Option<f32> {
    let s = s.trim();
    if s == "0" {
        return Some(0.0);
    }
    let (num, factor) = if let Some(n) = s.strip_suffix("mm") {
        (n, PT_PER_MM)
    } else if let Some(n) = s.strip_suffix("cm") {
        (n, PT_PER_MM * 10.0)
    } else if let Some(n) = s.strip_suffix("pt") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("zw").or_else(|| s.strip_suffix("em")) {
        (n, em)
    } else if bare_pt {
        (s, 1.0)
    } else {
        return None;
    };
    let v: f32 = num.trim().parse().ok()?;
    if !v.is_finite() || !(-10000.0..=10000.0).contains(&v) {
        return None;
    }
    Some(v * factor)
}
