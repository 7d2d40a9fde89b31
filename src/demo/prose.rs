//! Our own office prose for demo and bulk texts: headings and paragraphs put
//! together from short phrases about a topic. Nothing is taken from the seed
//! reports; the phrases are written for this generator.

use rand::RngExt;
use rand::rngs::StdRng;

/// Topics the texts are about.
pub const TOPICS: &[&str] = &[
    "营商环境",
    "乡村振兴",
    "数字政府",
    "城乡融合",
    "民营经济",
    "基层治理",
    "养老服务",
    "生态环境",
    "科技创新",
    "文化旅游",
    "安全生产",
    "义务教育",
    "医保报销",
    "老旧小区",
    "集体经济",
    "招商引资",
];

const SUBJECTS: &[&str] = &[
    "各县区",
    "市直有关部门",
    "各乡镇（街道）",
    "牵头单位",
    "相关职能部门",
    "各级党组织",
    "驻村工作队",
    "行业主管部门",
];
const VERBS: &[&str] = &["聚焦", "围绕", "紧盯", "着力破解", "持续深化", "统筹推进", "认真梳理", "扎实开展"];
const OBJECTS: &[&str] = &[
    "中的堵点难点",
    "的短板弱项",
    "领域的突出问题",
    "工作中的薄弱环节",
    "相关政策的落地见效",
    "的制度机制建设",
    "方面群众反映强烈的问题",
    "的考核评价办法",
];
const MEASURES: &[&str] = &[
    "建立问题清单、责任清单和任务清单，逐项明确时限",
    "实行周调度、月通报，对滞后事项挂牌督办",
    "组织专题调研，形成可复制可推广的经验做法",
    "完善部门协同机制，推动数据共享和业务联办",
    "把群众满意度作为检验成效的重要标准",
    "加大财政资金统筹力度，优先保障重点项目",
    "开展“回头看”，防止问题反弹回潮",
    "选树一批典型案例，以点带面推动整体提升",
];
const FINDINGS: &[&str] = &[
    "调研发现，部分企业对惠企政策知晓率不高，申报程序仍显繁琐",
    "从走访情况看，基层人手紧张、专业力量不足的问题比较普遍",
    "座谈中，群众普遍反映办事渠道增多但信息互通还不够顺畅",
    "数据显示，今年以来相关指标稳中有升，但区域之间差距依然明显",
    "问卷结果表明，多数受访者对改革成效给予肯定，同时期待服务更加便捷",
    "从案例分析看，政策执行中存在上热中温下冷的现象",
];
const HEADINGS: &[&str] =
    &["基本情况", "主要做法", "存在的问题", "原因分析", "对策建议", "下一步工作打算", "几点体会"];
const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六", "七"];

/// One paragraph of three to five sentences about `topic`.
pub fn paragraph(rng: &mut StdRng, topic: &str) -> String {
    let n = rng.random_range(3..=5);
    let mut p = String::new();
    for i in 0..n {
        let s = match (i + rng.random_range(0..3)) % 3 {
            0 => format!(
                "{}{}{}{}，{}。",
                SUBJECTS[rng.random_range(0..SUBJECTS.len())],
                VERBS[rng.random_range(0..VERBS.len())],
                topic,
                OBJECTS[rng.random_range(0..OBJECTS.len())],
                MEASURES[rng.random_range(0..MEASURES.len())]
            ),
            1 => format!("{}。", FINDINGS[rng.random_range(0..FINDINGS.len())]),
            _ => format!(
                "截至目前，{}相关工作已完成{}项，涉及资金{}万元，惠及群众{}人次。",
                topic,
                rng.random_range(3..60),
                rng.random_range(50..5000),
                rng.random_range(500..90000)
            ),
        };
        p.push_str(&s);
    }
    p
}

/// A document of about `chars` characters: numbered headings and paragraphs,
/// one per line.
pub fn document(rng: &mut StdRng, topic: &str, chars: usize) -> String {
    let mut out = String::new();
    let mut h = 0;
    while out.chars().count() < chars {
        if h < NUMERALS.len() && (out.is_empty() || rng.random_range(0..3) == 0) {
            out.push_str(&format!("{}、{}\n", NUMERALS[h], HEADINGS[h % HEADINGS.len()]));
            h += 1;
        }
        out.push_str(&paragraph(rng, topic));
        out.push('\n');
    }
    out
}

/// A light edit of `text`: one paragraph rewritten, one sentence added.
pub fn revise(rng: &mut StdRng, text: &str, topic: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.len() > 1 {
        let i = rng.random_range(1..lines.len());
        lines[i] = paragraph(rng, topic);
    }
    lines.push(format!("下一步，将{}。", MEASURES[rng.random_range(0..MEASURES.len())]));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn documents_reach_their_length_and_revisions_differ() {
        let mut rng = StdRng::seed_from_u64(7);
        let d = document(&mut rng, "营商环境", 2000);
        assert!(d.chars().count() >= 2000);
        assert!(d.starts_with("一、"));
        assert!(d.contains("营商环境"));
        let r = revise(&mut rng, &d, "营商环境");
        assert_ne!(r, d);
    }
}
