//! What a file really is, decided by its bytes, not its name.

use std::io::Read;

/// A kind of file the platform accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// MIME type stored and sent back.
    pub mime: &'static str,
    /// File-name extensions that may carry it.
    pub extensions: &'static [&'static str],
    /// Chinese description for messages.
    pub label: &'static str,
}

const DOCX: Kind = Kind {
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extensions: &["docx"],
    label: "Word 文档",
};
const XLSX: Kind = Kind {
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extensions: &["xlsx"],
    label: "Excel 表格",
};
const PPTX: Kind = Kind {
    mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    extensions: &["pptx"],
    label: "PowerPoint 演示文稿",
};
const OLE: Kind = Kind {
    mime: "application/x-ole-storage",
    extensions: &["doc", "xls", "ppt", "wps", "et"],
    label: "Office 97-2003 文档",
};
const PDF: Kind = Kind { mime: "application/pdf", extensions: &["pdf"], label: "PDF 文档" };
const PNG: Kind = Kind { mime: "image/png", extensions: &["png"], label: "PNG 图片" };
const JPEG: Kind = Kind { mime: "image/jpeg", extensions: &["jpg", "jpeg"], label: "JPEG 图片" };
const GIF: Kind = Kind { mime: "image/gif", extensions: &["gif"], label: "GIF 图片" };
const WEBP: Kind = Kind { mime: "image/webp", extensions: &["webp"], label: "WebP 图片" };
const TEXT: Kind =
    Kind { mime: "text/plain; charset=utf-8", extensions: &["txt", "csv", "md"], label: "文本文件" };

/// Every accepted kind, for the upload hint.
pub const ACCEPTED: &[Kind] = &[DOCX, XLSX, PPTX, OLE, PDF, PNG, JPEG, GIF, WEBP, TEXT];

fn zip_entries(bytes: &[u8]) -> Vec<String> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map(|z| z.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect())
        .unwrap_or_default()
}

/// Decides the kind from the content; `None` for anything not accepted.
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"PK\x03\x04") {
        let names = zip_entries(bytes);
        let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
        if !names.iter().any(|n| n == "[Content_Types].xml") {
            return None;
        }
        return if has("word/") {
            Some(DOCX)
        } else if has("xl/") {
            Some(XLSX)
        } else if has("ppt/") {
            Some(PPTX)
        } else {
            None
        };
    }
    match infer::get(bytes).map(|t| t.mime_type()) {
        Some("application/pdf") => Some(PDF),
        Some("image/png") => Some(PNG),
        Some("image/jpeg") => Some(JPEG),
        Some("image/gif") => Some(GIF),
        Some("image/webp") => Some(WEBP),
        Some("application/x-ole-storage" | "application/msword" | "application/vnd.ms-excel") => Some(OLE),
        Some(_) => None,
        None if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) => Some(OLE),
        None if looks_like_text(bytes) => Some(TEXT),
        None => None,
    }
}

/// UTF-8 with no control characters but tab, line breaks and form feed:
/// binaries (executables, archives) always contain others.
fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && std::str::from_utf8(bytes)
            .is_ok_and(|s| s.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{000c}')))
}

/// The lower-case extension of a file name.
pub fn extension(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default()
}

/// Plain text of a PDF (text layer only; a scanned PDF has none), for search.
///
/// pdf-extract decodes the fonts' ToUnicode maps, which Chinese PDFs from
/// Word, WPS and browsers carry. A damaged file may make it panic; that is
/// caught and treated as "no text".
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    let out = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes)).ok()?.ok()?;
    let text: Vec<&str> = out.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    (!text.is_empty()).then(|| text.join("\n"))
}

/// Plain text of a Word document (paragraphs on their own lines), for search.
pub fn docx_text(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut xml = String::new();
    archive.by_name("word/document.xml").ok()?.take(64 * 1024 * 1024).read_to_string(&mut xml).ok()?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:p" => out.push('\n'),
            quick_xml::events::Event::Text(t) if in_text => out.push_str(&t),
            // Entities (`&amp;`, `&#x4E2D;`) arrive as their own events.
            quick_xml::events::Event::GeneralRef(r) if in_text => {
                let raw = format!("&{};", &*r);
                out.push_str(&quick_xml::escape::unescape(&raw).map(|c| c.into_owned()).unwrap_or_default());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    Some(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        for n in names {
            z.start_file(*n, zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(b"<x/>").unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    }

    #[test]
    fn office_files_are_told_apart_by_their_parts() {
        assert_eq!(detect(&zip_with(&["[Content_Types].xml", "word/document.xml"])), Some(DOCX));
        assert_eq!(detect(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])), Some(XLSX));
        assert_eq!(detect(&zip_with(&["a.txt"])), None, "a plain zip is refused");
    }

    #[test]
    fn images_and_pdf_are_recognised_and_executables_refused() {
        assert_eq!(detect(b"%PDF-1.7\n..."), Some(PDF));
        assert_eq!(detect(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), Some(PNG));
        assert_eq!(detect(b"MZ\x90\x00\x03\x00\x00\x00"), None);
        assert_eq!(detect(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(detect("调研报告正文".as_bytes()), Some(TEXT));
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn word_text_is_extracted_paragraph_by_paragraph() {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file("[Content_Types].xml", zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(b"<Types/>").unwrap();
        z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(
            "<w:document><w:body><w:p><w:r><w:t>关于营商环境</w:t></w:r><w:r><w:t>的调研&amp;建议</w:t></w:r></w:p>\
             <w:p><w:r><w:t>第二段</w:t></w:r></w:p></w:body></w:document>"
                .as_bytes(),
        )
        .unwrap();
        z.finish().unwrap();
        assert_eq!(docx_text(&buf.into_inner()).unwrap(), "关于营商环境的调研&建议\n第二段");
    }

    #[test]
    fn text_comes_out_of_a_chinese_pdf() {
        // Printed to PDF by Chromium from our own text (tests/fixtures/report.pdf).
        let pdf = include_bytes!("../../tests/fixtures/report.pdf");
        assert_eq!(detect(pdf).map(|k| k.mime), Some("application/pdf"));
        let text = pdf_text(pdf).unwrap();
        assert!(text.contains("关于县域产业园区转型的调研报告"), "{text}");
        assert!(text.contains("亩均效益评价机制"), "{text}");
        assert_eq!(pdf_text(b"%PDF-1.4 broken"), None);
    }
}
