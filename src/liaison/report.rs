//! The monthly analysis report (L7): a Word document in official layout that
//! the research office can send up as it is — the month's volume against the
//! month before and the same month last year, the four rates, categories and
//! areas, hot topics, risk cases, the handling units, silent contact points
//! and what follows from the figures; two charts (the year's months, the four
//! rates) and three tables. Every number comes from [`figures::compute`]
//! within the reader's scope; the words around them are written here.

use std::fmt::Write as _;

use time::{Date, Month};

use super::chart::{self, Column};
use super::figures::{self, Figures, Row, Tally};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::officedoc::{self, Block};

/// The last day of a month.
fn month_end(year: i32, month: Month) -> Date {
    let first = Date::from_calendar_date(year, month, 1).unwrap_or(Date::MIN);
    first.replace_day(month.length(year)).unwrap_or(first)
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"))
}

/// “增加12.5%”, “减少3.0%”, “持平” against an earlier count.
fn change(now: i64, before: i64) -> String {
    if before == 0 {
        return if now == 0 { "持平".into() } else { "上期为零".into() };
    }
    let d = (now - before) as f64 * 100.0 / before as f64;
    if d.abs() < 0.05 {
        "持平".into()
    } else if d > 0.0 {
        format!("增加{d:.1}%")
    } else {
        format!("减少{:.1}%", -d)
    }
}

fn rate_row(r: &Row) -> Vec<String> {
    vec![
        r.label.clone(),
        r.tally.submitted.to_string(),
        r.tally.replied.to_string(),
        pct(r.rates.on_time),
        pct(r.rates.solution),
        pct(r.rates.satisfaction),
    ]
}

fn loop_count(t: &Tally) -> i64 {
    t.submitted - t.archived
}

/// What the figures call for: one sentence per weak point, or a general line.
fn advice(f: &Figures) -> String {
    let mut out = Vec::new();
    let mut n = 0;
    let mut push = |s: String| {
        const NUMBERS: [&str; 6] = ["一是", "二是", "三是", "四是", "五是", "六是"];
        out.push(format!("{}{s}", NUMBERS[n.min(5)]));
        n += 1;
    };
    if f.rates.on_time.is_some_and(|r| r < 90.0) {
        push(format!(
            "加强办理时效督办。本月按期答复率为{}，对逾期未答复的{}件问题逐件督促，必要时约谈承办单位。",
            pct(f.rates.on_time),
            f.total.overdue_open
        ));
    }
    if f.rates.satisfaction.is_some_and(|r| r < 85.0) {
        push(format!(
            "提高办理质量。本月满意率为{}，对评价为不满意的{}件问题组织回访，查找原因、跟踪整改。",
            pct(f.rates.satisfaction),
            f.total.unsatisfied
        ));
    }
    if let Some(top) = f.by_category.first()
        && top.tally.submitted > 0
    {
        push(format!(
            "聚焦“{}”类问题。该类问题本月最多，建议会同有关部门梳理共性原因，推动从个案办理向类案治理延伸。",
            top.label
        ));
    }
    if !f.clusters.is_empty() {
        push("关注重复反映问题。对多次反映的同类问题合并办理、一并答复，防止反复交办。".to_string());
    }
    if f.risk.iter().skip(1).any(|n| *n > 0) {
        push("做好舆情风险防范。对预警、高危问题落实专人跟踪，提前做好解释引导工作。".to_string());
    }
    if !f.silent.is_empty() {
        push(format!(
            "激活沉默联系点。{}个联系点近90天未报送问题，建议加强联络指导，发挥“直通车”作用。",
            f.silent.len()
        ));
    }
    if out.is_empty() {
        return "本月各项指标运行平稳，建议继续保持常态化报送、交办和回访工作机制。".to_string();
    }
    out.join("\n")
}

/// Builds the report of `month` (1–12) of `year` as the caller may see it;
/// returns the file name and the bytes. Audited as an export.
pub async fn monthly(c: &Caller<'_>, year: i32, month: u8) -> AppResult<(String, Vec<u8>)> {
    c.who.require(Module::Liaison, Action::Export)?;
    let Ok(m) = Month::try_from(month) else {
        return Err(AppError::BadRequest(Msg::new("月份不正确")));
    };
    let today = c.state.clock.today();
    let end = month_end(year, m);
    if Date::from_calendar_date(year, m, 1).map_or(true, |first| first > today) {
        return Err(AppError::BadRequest(Msg::new("这个月还没有开始")));
    }
    let asof = end.min(today);
    let y = i64::from(year);
    let mi = i64::from(month);
    let this = figures::compute(c.state, c.who, y, Some(mi), asof).await?;
    let whole_year = figures::compute(c.state, c.who, y, None, asof).await?;
    let (py, pm) = if month == 1 { (y - 1, 12) } else { (y, mi - 1) };
    let prev = figures::compute(c.state, c.who, py, Some(pm), asof).await?;
    let last_year = figures::compute(c.state, c.who, y - 1, Some(mi), asof).await?;
    let t = &this.total;
    let mut blocks = Vec::new();

    let mut s = String::from("一、总体情况\n");
    let _ = write!(
        s,
        "{year}年{month}月，全市基层联系点共报送问题线索{}件，环比{}，同比{}。其中已交办{}件，已答复{}件（按期答复率{}），\
         承办单位认定已解决{}件（解决率{}），联系点评价{}件，其中满意{}件、基本满意{}件、不满意{}件（满意率{}）；\
         已办结{}件（办结率{}）。目前尚有{}件已超过办理时限未答复。",
        loop_count(t),
        change(loop_count(t), loop_count(&prev.total)),
        change(loop_count(t), loop_count(&last_year.total)),
        t.dispatched,
        t.replied,
        pct(this.rates.on_time),
        t.solved,
        pct(this.rates.solution),
        t.rated,
        t.satisfied,
        t.basically,
        t.unsatisfied,
        pct(this.rates.satisfaction),
        t.closed,
        pct(this.rates.closure),
        t.overdue_open,
    );
    if t.archived > 0 {
        let _ = write!(s, "另导入历史问题{}件，只计入分类和热点分析。", t.archived);
    }
    blocks.push(Block::Text(s));
    let months: Vec<Column> = (1..=12)
        .filter(|k| *k <= mi)
        .map(|k| Column {
            label: k as u32,
            value: whole_year
                .by_month
                .iter()
                .find(|r| r.key.parse::<i64>().ok() == Some(k))
                .map_or(0.0, |r| loop_count(&r.tally) as f64),
            accent: k == mi,
        })
        .collect();
    blocks.push(Block::Figure {
        png: chart::columns(&months, false),
        size: (chart::WIDTH, chart::HEIGHT),
        caption: format!("图1 {year}年1—{month}月各月问题线索数量（件，红色为本月）"),
    });
    let rates = [this.rates.on_time, this.rates.closure, this.rates.solution, this.rates.satisfaction];
    let cols: Vec<Column> = rates
        .iter()
        .enumerate()
        .map(|(i, r)| Column { label: i as u32 + 1, value: r.unwrap_or(0.0), accent: false })
        .collect();
    blocks.push(Block::Figure {
        png: chart::columns(&cols, true),
        size: (chart::WIDTH, chart::HEIGHT),
        caption: format!("图2 {month}月办理指标：1按期答复率 2办结率 3解决率 4满意率"),
    });

    let mut s = String::from("二、问题分布\n");
    let total = t.submitted.max(1) as f64;
    let top: Vec<String> = this
        .by_category
        .iter()
        .take(3)
        .map(|r| {
            format!(
                "{}{}件（占{:.1}%）",
                r.label,
                r.tally.submitted,
                r.tally.submitted as f64 * 100.0 / total
            )
        })
        .collect();
    if top.is_empty() {
        s.push_str("本月未收到问题线索。");
    } else {
        let _ = write!(s, "从类别看，居前的是{}。", top.join("、"));
    }
    let areas: Vec<String> =
        this.by_area.iter().take(3).map(|r| format!("{}{}件", r.label, r.tally.submitted)).collect();
    if !areas.is_empty() {
        let _ = write!(s, "从地区看，报送较多的是{}。", areas.join("、"));
    }
    blocks.push(Block::Text(s));
    blocks.push(Block::Table {
        caption: format!("表1 {month}月问题线索分类办理情况"),
        head: ["类别", "件数", "已答复", "按期答复率", "解决率", "满意率"].map(String::from).to_vec(),
        rows: this.by_category.iter().map(rate_row).collect(),
    });

    let mut s = String::from("三、热点问题\n");
    if this.rising_month.is_empty() {
        s.push_str("本月没有明显上升的热点词。");
    } else {
        let words: Vec<String> = this
            .rising_month
            .iter()
            .take(8)
            .map(|r| format!("“{}”（{}次，上期{}次）", r.word, r.now, r.before))
            .collect();
        let _ = write!(s, "与上一个四周相比，反映较多且明显上升的词有{}。", words.join("、"));
    }
    if !this.clusters.is_empty() {
        let groups: Vec<String> =
            this.clusters.iter().take(5).map(|c| format!("“{}”（{}件）", c.title, c.size)).collect();
        let _ = write!(s, "重复或相近反映较集中的有{}。", groups.join("、"));
    }
    blocks.push(Block::Text(s));

    let mut s = String::from("四、舆情风险\n");
    let [watch, warn, high] = [0, 1, 2].map(|i| this.risk.get(i).copied().unwrap_or(0));
    if watch + warn + high == 0 {
        s.push_str("本月未发现涉及舆情风险词的问题。");
    } else {
        let _ = write!(
            s,
            "本月涉及舆情风险词的问题{}件，其中高危{high}件、预警{warn}件、关注{watch}件，均已提示研究室跟踪。",
            watch + warn + high
        );
    }
    blocks.push(Block::Text(s));

    let mut s = String::from("五、承办单位办理情况\n");
    if let (Some(best), Some(worst)) = (this.units.first(), this.units.last()) {
        let _ = write!(
            s,
            "本月共有{}个单位承办问题。按期答复率最高的是{}（{}），最低的是{}（{}）。",
            this.units.len(),
            best.label,
            pct(best.rates.on_time),
            worst.label,
            pct(worst.rates.on_time)
        );
    } else {
        s.push_str("本月没有交办给承办单位的问题。");
    }
    if !this.silent.is_empty() {
        let names: Vec<&str> = this.silent.iter().take(10).map(|p| p.name.as_str()).collect();
        let _ = write!(
            s,
            "近90天未报送问题的联系点有{}个，包括{}{}。",
            this.silent.len(),
            names.join("、"),
            if this.silent.len() > 10 { "等" } else { "" }
        );
    }
    blocks.push(Block::Text(s));
    blocks.push(Block::Table {
        caption: format!("表2 {month}月承办单位办理情况"),
        head: ["承办单位", "件数", "已答复", "按期答复率", "解决率", "满意率"].map(String::from).to_vec(),
        rows: this.units.iter().take(20).map(rate_row).collect(),
    });
    blocks.push(Block::Table {
        caption: format!("表3 {month}月报送较多的联系点"),
        head: ["联系点", "件数", "已答复", "按期答复率", "解决率", "满意率"].map(String::from).to_vec(),
        rows: this.points.iter().take(10).map(rate_row).collect(),
    });
    blocks.push(Block::Text(format!("六、下一步工作建议\n{}", advice(&this))));

    let title = format!("{year}年{month}月基层联系点问题线索分析报告");
    let byline = format!("（{}年{}月{}日）", today.year(), u8::from(today.month()), today.day());
    let bytes = officedoc::report(&title, &byline, &blocks).map_err(AppError::Internal)?;
    let mut tx = c.state.db.begin().await?;
    let ev = Event::new("export.liaison_report", "liaison_cases", 0).summary(format!("导出{title}"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok((format!("{title}.docx"), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_offices_write_them() {
        assert_eq!(change(120, 100), "增加20.0%");
        assert_eq!(change(90, 100), "减少10.0%");
        assert_eq!(change(100, 100), "持平");
        assert_eq!(change(5, 0), "上期为零");
        assert_eq!(month_end(2028, Month::February).day(), 29);
        assert_eq!(pct(None), "—");
    }
}
