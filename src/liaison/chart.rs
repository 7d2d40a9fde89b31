//! Column charts as PNG for the monthly report: bars, a base line, the value
//! over each bar and a number under it, drawn in a small built-in figure font
//! (digits, “.” and “%” only — the Chinese words go in the report's caption,
//! so no font file has to travel with the binary). Pure; the `png` crate
//! encodes.

/// One column: the number under it (month, rank) and its value.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Printed under the bar.
    pub label: u32,
    /// Its height.
    pub value: f64,
    /// Drawn in the accent colour (the month the report is about).
    pub accent: bool,
}

/// Pixel size of a chart.
pub const WIDTH: u32 = 960;
/// Pixel size of a chart.
pub const HEIGHT: u32 = 420;

const BAR: [u8; 3] = [0x3a, 0x6e, 0xa5];
const ACCENT: [u8; 3] = [0xc0, 0x1f, 0x1f];
const INK: [u8; 3] = [0x33, 0x33, 0x33];
const GRID: [u8; 3] = [0xdd, 0xdd, 0xdd];

/// 3×5 glyphs, rows top to bottom, three bits each (left bit first).
fn glyph(c: char) -> Option<[u8; 5]> {
    Some(match c {
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '3' => [0b111, 0b001, 0b111, 0b001, 0b111],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b010, 0b010, 0b010],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        '.' => [0b000, 0b000, 0b000, 0b000, 0b010],
        '%' => [0b101, 0b001, 0b010, 0b100, 0b101],
        _ => return None,
    })
}

struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Canvas {
        Canvas { w, h, px: vec![0xff; (w * h * 3) as usize] }
    }

    fn rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, rgb: [u8; 3]) {
        let (x0, x1) = (x0.clamp(0, i64::from(self.w)), x1.clamp(0, i64::from(self.w)));
        let (y0, y1) = (y0.clamp(0, i64::from(self.h)), y1.clamp(0, i64::from(self.h)));
        for y in y0..y1 {
            for x in x0..x1 {
                let i = ((y * i64::from(self.w) + x) * 3) as usize;
                self.px[i..i + 3].copy_from_slice(&rgb);
            }
        }
    }

    /// Text centred on `cx`, top at `y`, each glyph cell `scale` pixels.
    fn text(&mut self, s: &str, cx: i64, y: i64, scale: i64, rgb: [u8; 3]) {
        let width = s.chars().count() as i64 * 4 * scale - scale;
        let mut x = cx - width / 2;
        for c in s.chars() {
            if let Some(g) = glyph(c) {
                for (row, bits) in g.iter().enumerate() {
                    for col in 0..3 {
                        if bits & (0b100 >> col) != 0 {
                            let (px, py) = (x + col * scale, y + row as i64 * scale);
                            self.rect(px, py, px + scale, py + scale, rgb);
                        }
                    }
                }
            }
            x += 4 * scale;
        }
    }

    fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, self.w, self.h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Writing into a Vec cannot fail; an empty image is the worst case.
        if let Ok(mut w) = enc.write_header() {
            let _ = w.write_image_data(&self.px);
        }
        out
    }
}

/// A value as printed over its bar.
fn figure(v: f64, percent: bool) -> String {
    if percent {
        format!("{v:.1}%")
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Draws the columns; `percent` prints values as percentages on a 0–100 scale.
pub fn columns(cols: &[Column], percent: bool) -> Vec<u8> {
    let mut c = Canvas::new(WIDTH, HEIGHT);
    let (left, right, top, base) = (40i64, i64::from(WIDTH) - 40, 50i64, i64::from(HEIGHT) - 50);
    let max = if percent { 100.0 } else { cols.iter().map(|c| c.value).fold(0.0, f64::max).max(1.0) };
    for k in 1..=4 {
        let y = base - (base - top) * k / 4;
        c.rect(left, y, right, y + 1, GRID);
    }
    c.rect(left, base, right, base + 2, INK);
    let n = cols.len().max(1) as i64;
    let slot = (right - left) / n;
    let bar = (slot * 3 / 5).max(2);
    let scale = if n > 16 { 2 } else { 3 };
    for (i, col) in cols.iter().enumerate() {
        let cx = left + slot * i as i64 + slot / 2;
        let v = col.value.max(0.0);
        let h = ((base - top) as f64 * (v / max).min(1.0)).round() as i64;
        c.rect(cx - bar / 2, base - h, cx + bar / 2, base, if col.accent { ACCENT } else { BAR });
        c.text(&figure(v, percent), cx, base - h - 6 * scale - 4, scale, INK);
        c.text(&col.label.to_string(), cx, base + 10, scale, INK);
    }
    c.png()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let d = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut r = d.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        (info.width, info.height, buf)
    }

    fn pixel(img: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 3] {
        let i = ((y * img.0 + x) * 3) as usize;
        [img.2[i], img.2[i + 1], img.2[i + 2]]
    }

    #[test]
    fn bars_are_as_high_as_their_values_and_the_accent_stands_out() {
        let cols =
            [Column { label: 1, value: 10.0, accent: false }, Column { label: 2, value: 20.0, accent: true }];
        let img = decode(&columns(&cols, false));
        assert_eq!((img.0, img.1), (WIDTH, HEIGHT));
        // Slots of 440 px from x = 40; bars centred at 260 and 700; base at 370, top at 50.
        assert_eq!(pixel(&img, 260, 365), BAR);
        assert_eq!(pixel(&img, 700, 365), ACCENT);
        assert_eq!(pixel(&img, 700, 55), ACCENT, "the largest value reaches the top");
        assert_eq!(pixel(&img, 260, 200), [0xff; 3], "half as high: empty above 210");
        assert_eq!(pixel(&img, 260, 215), BAR);
    }

    #[test]
    fn percentages_use_a_fixed_scale_and_figures_read_right() {
        let img = decode(&columns(&[Column { label: 1, value: 50.0, accent: false }], true));
        // One slot of 880 px, centred at 480; half of 320 px above the base.
        assert_eq!(pixel(&img, 480, 215), BAR);
        assert_eq!(pixel(&img, 480, 205), [0xff; 3]);
        assert_eq!(figure(87.25, true), "87.2%");
        assert_eq!(figure(12.0, false), "12");
        assert!(glyph('x').is_none() && glyph('7').is_some());
    }
}
