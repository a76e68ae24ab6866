//! The invoice's fonts, in the order they are tried for each character:
//! DejaVu Sans (Latin, Greek, Cyrillic and most symbols), then Droid Sans
//! Fallback (Chinese, Japanese, Korean). A text is drawn in runs, each in
//! the first font that has its characters (`fonts/README.md`).

use skrifa::charmap::Charmap;
use skrifa::{FontRef, MetadataProvider};

static FACES: [&[u8]; 2] = [
    include_bytes!("../../fonts/DejaVuSans.ttf"),
    include_bytes!("../../fonts/DroidSansFallback.ttf"),
];

/// The faces' bytes, in the order they are tried.
pub fn faces() -> &'static [&'static [u8]] {
    &FACES
}

/// Which face draws each character.
pub struct Coverage<'a> {
    charmaps: Vec<Charmap<'a>>,
}

impl<'a> Coverage<'a> {
    pub fn of(faces: &[FontRef<'a>]) -> Coverage<'a> {
        Coverage {
            charmaps: faces.iter().map(|face| face.charmap()).collect(),
        }
    }

    /// The first face that has `c`; the first face when none has it (it
    /// draws its "missing" box).
    pub fn face_of(&self, c: char) -> usize {
        self.charmaps
            .iter()
            .position(|charmap| charmap.map(c).is_some())
            .unwrap_or(0)
    }

    /// `text` cut where the face drawing it changes: (face, run).
    pub fn runs<'t>(&self, text: &'t str) -> Vec<(usize, &'t str)> {
        let mut runs: Vec<(usize, &'t str)> = Vec::new();
        let mut start = 0;
        let mut face = None;
        for (at, c) in text.char_indices() {
            let this = self.face_of(c);
            // Spaces go with the run they are in: every face has them.
            if face.is_some_and(|f| f != this) && !c.is_whitespace() {
                runs.push((face.unwrap_or(0), &text[start..at]));
                start = at;
            }
            if !c.is_whitespace() || face.is_none() {
                face = Some(this);
            }
        }
        if start < text.len() {
            runs.push((face.unwrap_or(0), &text[start..]));
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coverage() -> Coverage<'static> {
        let faces: Vec<FontRef<'static>> = faces()
            .iter()
            .map(|bytes| FontRef::new(bytes).unwrap())
            .collect();
        Coverage::of(&faces)
    }

    #[test]
    fn latin_greek_and_cyrillic_come_from_dejavu_and_cjk_from_the_fallback() {
        let coverage = coverage();
        for c in ['A', 'é', 'Ω', 'Ж', '€'] {
            assert_eq!(coverage.face_of(c), 0, "{c}");
        }
        for c in ['中', '文', 'あ', 'カ', '한', '글'] {
            assert_eq!(coverage.face_of(c), 1, "{c}");
        }
    }

    #[test]
    fn a_mixed_name_is_drawn_in_runs_of_one_face_each() {
        let runs = coverage().runs("Ltd 株式会社 Tanaka 田中");
        assert_eq!(
            runs,
            vec![(0, "Ltd "), (1, "株式会社 "), (0, "Tanaka "), (1, "田中")]
        );
        assert_eq!(coverage().runs("Plain text"), vec![(0, "Plain text")]);
        assert!(coverage().runs("").is_empty());
    }
}
