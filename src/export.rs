//! Spreadsheet (xlsx) export shared by every list: a bold header row that stays
//! in view, sensible column widths, and a Chinese file name the browser keeps.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Num(f64),
    /// Nothing.
    Empty,
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Num(v as f64)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// Rows under a header, as one sheet: (sheet name, headers, rows).
pub type SheetData<'a> = (&'a str, &'a [&'a str], &'a [Vec<Cell>]);

/// Builds a one-sheet workbook.
pub fn workbook(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> anyhow::Result<Vec<u8>> {
    workbook_sheets(&[(sheet, headers, rows)])
}

/// Builds a workbook of several sheets.
pub fn workbook_sheets(sheets: &[SheetData<'_>]) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("D9E1F2").set_border(FormatBorder::Thin);
    for (sheet, headers, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*sheet)?;
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count() * 2 + 2).collect();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, c as u16, s)?;
                        if let Some(w) = widths.get_mut(c) {
                            // CJK characters are about two columns wide.
                            let width: usize = s.chars().map(|ch| if ch.is_ascii() { 1 } else { 2 }).sum();
                            *w = (*w).max(width.min(60) + 2);
                        }
                    }
                    Cell::Num(n) => {
                        ws.write_number(r, c as u16, *n)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w as f64)?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// The download response for a workbook named `name.xlsx` (Chinese names allowed).
pub fn download(name: &str, bytes: Vec<u8>) -> Response {
    file(&format!("{name}.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes)
}

/// The download response for a Word document named `name.docx`.
pub fn download_docx(name: &str, bytes: Vec<u8>) -> Response {
    file(
        &format!("{name}.docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
    )
}

fn file(file_name: &str, mime: &'static str, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let encoded = crate::web::errors::urlencode(file_name).replace('+', "%20");
    let ascii = if file_name.ends_with(".docx") { "export.docx" } else { "export.xlsx" };
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_round_trips_through_calamine() {
        use calamine::{Reader, Xlsx};
        let bytes =
            workbook("组织机构", &["序号", "名称"], &[vec![Cell::Num(1.0), "市委政研室".into()]]).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("组织机构").unwrap();
        assert_eq!(range.get_value((1, 1)).unwrap().to_string(), "市委政研室");
    }
}
