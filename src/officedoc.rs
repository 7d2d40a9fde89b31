//! Word documents in official layout (GB/T 9704—2012, 党政机关公文格式): A4,
//! margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the title in
//! 二号 方正小标宋简体, the body in 三号 仿宋_GB2312 at a fixed 28.95 pt line
//! (22 lines of 28 characters a page), first lines indented two characters,
//! page numbers in 四号 at the foot. Used for compilations (汇编) with a table
//! of contents and for issues of 《决策参考》 with their red masthead.
//!
//! docx-rs writes the document; the font table is then replaced with one that
//! names the standard substitutes (仿宋_GB2312 → 仿宋, 方正小标宋简体 → 宋体 …),
//! so a machine without the GB2312 fonts still shows the right typeface.
//! One file: the three document kinds share the page, fonts, paragraphs and packing.

use std::io::{Cursor, Read, Write};

use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Pic, Run, RunFonts, SpecialIndentType, Table,
    TableCell, TableOfContents, TableOfContentsItem, TableRow, WidthType,
};

/// 方正小标宋简体 (titles).
const TITLE_FONT: &str = "方正小标宋简体";
/// 仿宋_GB2312 (body).
const BODY_FONT: &str = "仿宋_GB2312";
/// 黑体 (first-level headings inside a text).
const HEI: &str = "黑体";
/// 楷体_GB2312 (bylines, second-level headings).
const KAI: &str = "楷体_GB2312";

/// Half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 初号 42 pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;
const CHUHAO: usize = 84;

/// Twips (1 mm = 56.7 twips).
const fn mm(v: i32) -> i32 {
    v * 567 / 10
}

/// Characters on one page of body text (22 lines × 28 characters).
pub const CHARS_PER_PAGE: usize = 22 * 28;

/// One article or chapter: a heading (in the table of contents), a byline and the text.
#[derive(Clone, Debug)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Under the heading (“市委政研室 课题组”), may be empty.
    pub byline: String,
    /// Body text, paragraphs separated by line breaks.
    pub body: String,
}

/// The masthead of an internal periodical issue (《决策参考》).
#[derive(Clone, Debug)]
pub struct Masthead {
    /// Its name, printed large in red (“决策参考”).
    pub name: String,
    /// “2026年第12期（总第87期）”.
    pub issue_line: String,
    /// The editing office.
    pub editor: String,
    /// The date line (“2026年11月24日”).
    pub date: String,
    /// Classification mark at the top left (“内部资料 注意保存”), may be empty.
    pub mark: String,
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii("Times New Roman").hi_ansi("Times New Roman")
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn exact_line() -> LineSpacing {
    // 28.95 pt: 22 lines fill the type area of an A4 page in official layout.
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(579)
}

fn centered(text: &str, font: &str, size: usize) -> Paragraph {
    Paragraph::new().add_run(run(text, font, size)).align(AlignmentType::Center).line_spacing(exact_line())
}

fn blank() -> Paragraph {
    Paragraph::new().line_spacing(exact_line())
}

fn title(text: &str) -> Paragraph {
    // Two-line titles keep their own lines; 二号 needs more than the body's line.
    Paragraph::new()
        .add_run(run(text, TITLE_FONT, ERHAO))
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(700))
}

/// A body paragraph: first line indented two characters. A paragraph that
/// reads like a heading (“一、…”, “（一）…”) takes 黑体 / 楷体 as offices do.
fn body_paragraph(text: &str) -> Paragraph {
    let font = if is_first_level(text) {
        HEI
    } else if text.starts_with('（') && text.chars().nth(2) == Some('）') {
        KAI
    } else {
        BODY_FONT
    };
    Paragraph::new()
        .add_run(run(text, font, SANHAO))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .align(AlignmentType::Both)
        .line_spacing(exact_line())
}

/// “一、”, “二、” … “十二、” at the start of a short line.
fn is_first_level(text: &str) -> bool {
    const NUMERALS: &str = "一二三四五六七八九十";
    let mut chars = text.chars();
    let mut n = 0;
    for c in chars.by_ref() {
        if NUMERALS.contains(c) {
            n += 1;
        } else {
            return c == '、' && (1..=3).contains(&n) && text.chars().count() <= 40;
        }
    }
    false
}

fn paragraphs(body: &str) -> impl Iterator<Item = &str> {
    body.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn page_footer() -> Footer {
    // “— 1 —” in 四号 宋体, centred (the standard puts odd pages right, even
    // pages left; centred is the common choice for internal material).
    Footer::new().add_paragraph(
        Paragraph::new()
            .add_run(run("— ", "宋体", SIHAO))
            .add_page_num(PageNum::new())
            .add_run(run(" —", "宋体", SIHAO))
            .align(AlignmentType::Center),
    )
}

fn page() -> Docx {
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(mm(37))
                .bottom(mm(35))
                .left(mm(28))
                .right(mm(26))
                .header(mm(15))
                .footer(mm(28)),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(SANHAO)
        .footer(page_footer())
}

fn add_section(mut doc: Docx, s: &Section, bookmark: Option<(usize, String)>, new_page: bool) -> Docx {
    let mut head = title(&s.title).page_break_before(new_page).outline_lvl(0);
    if let Some((id, name)) = bookmark {
        head = head.add_bookmark_start(id, name).add_bookmark_end(id);
    }
    doc = doc.add_paragraph(head);
    if !s.byline.is_empty() {
        doc = doc.add_paragraph(centered(&s.byline, KAI, SANHAO));
    }
    doc = doc.add_paragraph(blank());
    for p in paragraphs(&s.body) {
        doc = doc.add_paragraph(body_paragraph(p));
    }
    doc
}

/// Estimated pages of a section (for the table of contents; Word and WPS
/// refresh the numbers on opening, the field is marked dirty).
fn pages_of(s: &Section) -> usize {
    let lines: usize = paragraphs(&s.body).map(|p| (p.chars().count() + 2).div_ceil(28)).sum();
    (lines + 4).div_ceil(22).max(1)
}

/// A compilation (汇编): cover title, preface, table of contents, then each
/// section on a new page.
pub fn compilation(name: &str, preface: &str, sections: &[Section]) -> anyhow::Result<Vec<u8>> {
    let mut doc = page().add_paragraph(blank()).add_paragraph(blank()).add_paragraph(title(name));
    if !preface.trim().is_empty() {
        doc = doc.add_paragraph(blank());
        for p in paragraphs(preface) {
            doc = doc.add_paragraph(body_paragraph(p));
        }
    }
    let mut toc = TableOfContents::new().heading_styles_range(1, 1).alias("目录").dirty();
    // Cover and preface on page 1, the contents on page 2.
    let mut page_no = 3;
    for (i, s) in sections.iter().enumerate() {
        toc = toc.add_item(
            TableOfContentsItem::new()
                .text(s.title.as_str())
                .toc_key(format!("_Toc{i:08}"))
                .level(1)
                .page_ref(page_no.to_string()),
        );
        page_no += pages_of(s);
    }
    doc = doc
        .add_paragraph(centered("目  录", HEI, SANHAO).page_break_before(true))
        .add_paragraph(blank())
        .add_table_of_contents(toc);
    for (i, s) in sections.iter().enumerate() {
        doc = add_section(doc, s, Some((i + 1, format!("_Toc{i:08}"))), true);
    }
    pack(doc)
}

/// An issue of an internal periodical: red masthead and rule, the issue line,
/// the articles one after another, and the distribution list at the end.
pub fn periodical(head: &Masthead, sections: &[Section], distribution: &str) -> anyhow::Result<Vec<u8>> {
    let red = "C00000";
    let mut doc = page();
    if !head.mark.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().add_run(run(&head.mark, HEI, SANHAO)));
    }
    doc = doc
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&head.name, TITLE_FONT, CHUHAO).color(red).character_spacing(200))
                .align(AlignmentType::Center),
        )
        .add_paragraph(centered(&head.issue_line, BODY_FONT, SANHAO))
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&head.editor, BODY_FONT, SANHAO))
                .add_run(Run::new().add_tab())
                .add_run(run(&head.date, BODY_FONT, SANHAO))
                .align(AlignmentType::Both)
                .set_borders(
                    ParagraphBorders::with_empty().set(
                        ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                            .val(BorderType::Single)
                            .size(24)
                            .space(4)
                            .color(red),
                    ),
                ),
        )
        .add_paragraph(blank());
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            doc = doc.add_paragraph(blank());
        }
        doc = add_section(doc, s, None, false);
    }
    if !distribution.trim().is_empty() {
        doc =
            doc.add_paragraph(blank()).add_paragraph(
                Paragraph::new()
                    .add_run(run(&format!("报送：{}", distribution.trim()), BODY_FONT, SIHAO))
                    .indent(Some(0), None, None, None)
                    .set_borders(ParagraphBorders::with_empty().set(
                        ParagraphBorder::new(ParagraphBorderPosition::Top).val(BorderType::Single).size(8),
                    )),
            );
    }
    pack(doc)
}

/// A piece of an analysis report.
#[derive(Clone, Debug)]
pub enum Block {
    /// Paragraphs separated by line breaks (headings “一、…” recognised).
    Text(String),
    /// A PNG chart across the type area, with its caption under it.
    Figure {
        /// PNG bytes.
        png: Vec<u8>,
        /// Its pixel size.
        size: (u32, u32),
        /// “图1 …”.
        caption: String,
    },
    /// A table with a header row; its caption above it, as offices place table titles.
    Table {
        /// “表1 …”.
        caption: String,
        /// Header cells.
        head: Vec<String>,
        /// Body rows.
        rows: Vec<Vec<String>>,
    },
}

/// Width of the type area (156 mm) in twips and in EMU.
const TYPE_WIDTH_TWIPS: usize = 156 * 567 / 10;
const TYPE_WIDTH_EMU: u32 = 156 * 36_000;
/// 小四 (12 pt) for table cells.
const XIAOSI: usize = 24;

fn table(head: &[String], rows: &[Vec<String>]) -> Table {
    let cols = head.len().max(1);
    let cell = |text: &str, font: &str, first: bool| {
        TableCell::new()
            .add_paragraph(Paragraph::new().add_run(run(text, font, XIAOSI)).align(if first {
                AlignmentType::Left
            } else {
                AlignmentType::Center
            }))
            .width(TYPE_WIDTH_TWIPS / cols, WidthType::Dxa)
    };
    let mut out = vec![TableRow::new(head.iter().enumerate().map(|(i, h)| cell(h, HEI, i == 0)).collect())];
    for r in rows {
        out.push(TableRow::new(r.iter().enumerate().map(|(i, v)| cell(v, BODY_FONT, i == 0)).collect()));
    }
    Table::new(out).set_grid(vec![TYPE_WIDTH_TWIPS / cols; cols]).width(TYPE_WIDTH_TWIPS, WidthType::Dxa)
}

/// An analysis report: title, a date line, then text, charts and tables in order.
pub fn report(name: &str, byline: &str, blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
    let mut doc = page().add_paragraph(title(name));
    if !byline.is_empty() {
        doc = doc.add_paragraph(centered(byline, KAI, SANHAO));
    }
    doc = doc.add_paragraph(blank());
    for b in blocks {
        match b {
            Block::Text(text) => {
                for p in paragraphs(text) {
                    doc = doc.add_paragraph(body_paragraph(p));
                }
            }
            Block::Figure { png, size, caption } => {
                let height =
                    (u64::from(TYPE_WIDTH_EMU) * u64::from(size.1) / u64::from(size.0.max(1))) as u32;
                let pic = Pic::new_with_dimensions(png.clone(), size.0, size.1).size(TYPE_WIDTH_EMU, height);
                doc = doc
                    .add_paragraph(
                        Paragraph::new().add_run(Run::new().add_image(pic)).align(AlignmentType::Center),
                    )
                    .add_paragraph(centered(caption, KAI, SIHAO));
            }
            Block::Table { caption, head, rows } => {
                doc = doc
                    .add_paragraph(centered(caption, HEI, SIHAO))
                    .add_table(table(head, rows))
                    .add_paragraph(blank());
            }
        }
    }
    pack(doc)
}

fn pack(doc: Docx) -> anyhow::Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    doc.build().pack(&mut out)?;
    with_font_substitutes(&out.into_inner())
}

/// The fonts the documents use, with the substitutes every office machine has.
const FONT_TABLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="script"/><w:pitch w:val="variable"/></w:font>
<w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>
<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>
</w:fonts>"#;

/// Replaces `word/fontTable.xml` with [`FONT_TABLE`].
fn with_font_substitutes(docx: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut input = zip::ZipArchive::new(Cursor::new(docx))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(docx.len() + 1024)));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut wrote_fonts = false;
    for i in 0..input.len() {
        let mut entry = input.by_index(i)?;
        let name = entry.name()?.into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        out.start_file(name.as_str(), options)?;
        if name == "word/fontTable.xml" {
            out.write_all(FONT_TABLE.as_bytes())?;
            wrote_fonts = true;
        } else {
            out.write_all(&bytes)?;
        }
    }
    anyhow::ensure!(wrote_fonts, "docx-rs wrote no font table");
    Ok(out.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(docx: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    fn sample() -> Vec<Section> {
        vec![
            Section {
                title: "关于县域营商环境的调研报告".into(),
                byline: "市委政研室课题组".into(),
                body: "一、基本情况\n今年以来，我市围绕企业办事难点开展专题调研。\n（一）主要做法\n建立问题清单。".into(),
            },
            Section { title: "关于社区治理的几点建议".into(), byline: String::new(), body: "建议健全议事机制。".into() },
        ]
    }

    #[test]
    fn a_compilation_has_contents_official_page_and_fonts() {
        let bytes = compilation("2026年度优秀调研成果汇编", "本汇编收录年度调研成果。", &sample()).unwrap();
        let doc = part(&bytes, "word/document.xml");
        assert!(doc.contains(r#"w:w="11906""#) && doc.contains(r#"w:h="16838""#), "A4");
        assert!(doc.contains(r#"w:top="2097""#) && doc.contains(r#"w:left="1587""#), "margins 37/28 mm");
        assert!(doc.contains("TOC \\o &quot;1-1&quot;") || doc.contains("TOC \\o \"1-1\""), "a TOC field");
        assert!(doc.contains("关于社区治理的几点建议") && doc.contains("_Toc00000001"));
        assert!(doc.contains(TITLE_FONT) && doc.contains(BODY_FONT) && doc.contains(HEI));
        assert!(doc.contains(r#"w:line="579""#), "fixed line pitch");
        let fonts = part(&bytes, "word/fontTable.xml");
        assert!(fonts.contains(r#"<w:altName w:val="仿宋"/>"#));
        let footer = (1..=3)
            .filter_map(|i| {
                zip::ZipArchive::new(Cursor::new(&bytes))
                    .ok()?
                    .by_name(&format!("word/footer{i}.xml"))
                    .is_ok()
                    .then_some(i)
            })
            .count();
        assert!(footer >= 1, "a footer with the page number");
    }

    #[test]
    fn a_periodical_issue_has_masthead_articles_and_distribution() {
        let head = Masthead {
            name: "决策参考".into(),
            issue_line: "2026年第12期（总第87期）".into(),
            editor: "中共示范市委政策研究室".into(),
            date: "2026年11月24日".into(),
            mark: "内部资料 注意保存".into(),
        };
        let bytes = periodical(&head, &sample(), "市委常委，市人大常委会、市政府、市政协主要领导").unwrap();
        let doc = part(&bytes, "word/document.xml");
        for s in
            ["决策参考", "2026年第12期（总第87期）", "C00000", "报送：市委常委", "关于县域营商环境的调研报告"]
        {
            assert!(doc.contains(s), "{s}");
        }
    }

    #[test]
    fn a_report_carries_its_charts_and_tables() {
        let png = crate::liaison::chart::columns(
            &[crate::liaison::chart::Column { label: 1, value: 3.0, accent: true }],
            false,
        );
        let blocks = [
            Block::Text("一、总体情况\n本月共收到问题线索120件。".into()),
            Block::Figure { png, size: (960, 420), caption: "图1 各月问题线索数量".into() },
            Block::Table {
                caption: "表1 分类情况".into(),
                head: vec!["类别".into(), "件数".into()],
                rows: vec![vec!["城市管理".into(), "48".into()]],
            },
        ];
        let bytes = report("2026年10月基层联系点问题线索分析报告", "市委政策研究室", &blocks).unwrap();
        let doc = part(&bytes, "word/document.xml");
        for s in [
            "分析报告",
            "本月共收到问题线索120件",
            "图1 各月问题线索数量",
            "表1 分类情况",
            "城市管理",
            "<w:tbl>",
            "<pic:pic",
        ] {
            assert!(doc.contains(s), "{s}");
        }
        let z = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        assert!(
            z.file_names().any(|n| n.is_ok_and(|n| n.starts_with("word/media/"))),
            "the chart travels inside the file"
        );
    }

    #[test]
    fn headings_inside_a_text_are_recognised() {
        assert!(is_first_level("一、基本情况"));
        assert!(is_first_level("十二、下一步打算"));
        assert!(!is_first_level("一是强化统筹"));
        assert!(!is_first_level("今年以来"));
    }
}
