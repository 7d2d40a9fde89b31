//! People: input parsing, pure.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::validate::{Check, checkbox, id, optional, optional_date, optional_id, required};

/// A person as typed in a form or JSON body.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonInput {
    /// Name.
    pub name: String,
    /// `男` or `女` (or empty).
    pub gender: String,
    /// Date of birth.
    pub birth_date: String,
    /// Unit id.
    pub unit_id: String,
    /// Position (职务).
    pub position: String,
    /// Cadre level: a code of the `cadre_level` dictionary.
    pub cadre_level: String,
    /// Reserve cadre (后备干部).
    pub reserve_cadre: Option<String>,
    /// Party member.
    pub party_member: Option<String>,
    /// Party branch id.
    pub branch_id: String,
    /// `active` or `left`.
    pub status: String,
    /// Remarks.
    pub note: String,
}

/// A validated person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonFields {
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: String,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// Unit.
    pub unit_id: i64,
    /// Position.
    pub position: String,
    /// Cadre level code (may be empty).
    pub cadre_level: String,
    /// Reserve cadre.
    pub reserve_cadre: bool,
    /// Party member.
    pub party_member: bool,
    /// Party branch.
    pub branch_id: Option<i64>,
    /// `active` or `left`.
    pub status: String,
    /// Remarks.
    pub note: String,
}

fn gender(raw: &str) -> Result<String, Msg> {
    match raw.trim() {
        "" | "男" | "女" => Ok(raw.trim().to_string()),
        _ => Err(Msg::new("性别应为“男”或“女”")),
    }
}

fn status(raw: &str) -> Result<String, Msg> {
    match raw.trim() {
        "" | "active" => Ok("active".into()),
        "left" => Ok("left".into()),
        _ => Err(Msg::new("请选择有效的状态")),
    }
}

impl PersonInput {
    /// Parses every field.
    pub fn parse(&self) -> Result<PersonFields, FieldErrors> {
        let mut c = Check::default();
        let name = c.take("name", required(&self.name, 30));
        let gender = c.take("gender", gender(&self.gender));
        let birth_date = c.take("birth_date", optional_date(&self.birth_date));
        let unit_id = c.take("unit_id", id(&self.unit_id));
        let position = c.take("position", optional(&self.position, 60));
        let cadre_level = c.take("cadre_level", optional(&self.cadre_level, 32));
        let branch_id = c.take("branch_id", optional_id(&self.branch_id));
        let status = c.take("status", status(&self.status));
        let note = c.take("note", optional(&self.note, 500));
        let party_member = checkbox(self.party_member.as_deref());
        if branch_id.flatten().is_some() && !party_member {
            c.fail("branch_id", Msg::new("非党员不能编入党支部"));
        }
        c.finish(|| {
            Some(PersonFields {
                name: name?,
                gender: gender?,
                birth_date: birth_date?,
                unit_id: unit_id?,
                position: position?,
                cadre_level: cadre_level?,
                reserve_cadre: checkbox(self.reserve_cadre.as_deref()),
                party_member,
                branch_id: branch_id?,
                status: status?,
                note: note?,
            })
        })
    }
}

/// A mentoring pair (结对帮带) as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MentoringInput {
    /// The younger cadre being mentored (person id).
    pub mentee_id: String,
    /// Start date.
    pub started_on: String,
    /// Remarks.
    pub note: String,
}

/// A validated mentoring pair.
#[derive(Clone, Debug, Serialize)]
pub struct MentoringFields {
    /// Mentee.
    pub mentee_id: i64,
    /// Start.
    pub started_on: Date,
    /// Remarks.
    pub note: String,
}

impl MentoringInput {
    /// Parses the pair.
    pub fn parse(&self, mentor_id: i64) -> Result<MentoringFields, FieldErrors> {
        let mut c = Check::default();
        let mentee = c.take("mentee_id", id(&self.mentee_id));
        if mentee == Some(mentor_id) {
            c.fail("mentee_id", Msg::new("不能与本人结对"));
        }
        let started_on = c.take("started_on", crate::validate::date(&self.started_on));
        let note = c.take("note", optional(&self.note, 200));
        c.finish(|| Some(MentoringFields { mentee_id: mentee?, started_on: started_on?, note: note? }))
    }
}

/// Kinds of posting (交流任职).
pub const POSTING_KINDS: &[&str] = &["rotation", "shadowing", "secondment"];

/// A posting as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PostingInput {
    /// `rotation` (轮岗), `shadowing` (跟班学习) or `secondment` (挂职).
    pub kind: String,
    /// Where to (unit id).
    pub to_unit_id: String,
    /// Start.
    pub started_on: String,
    /// End (optional).
    pub ended_on: String,
    /// Remarks.
    pub note: String,
}

/// A validated posting.
#[derive(Clone, Debug, Serialize)]
pub struct PostingFields {
    /// Kind code.
    pub kind: String,
    /// Destination unit.
    pub to_unit_id: i64,
    /// Start.
    pub started_on: Date,
    /// End.
    pub ended_on: Option<Date>,
    /// Remarks.
    pub note: String,
}

impl PostingInput {
    /// Parses the posting; the end may not precede the start.
    pub fn parse(&self) -> Result<PostingFields, FieldErrors> {
        let mut c = Check::default();
        let kind = if POSTING_KINDS.contains(&self.kind.as_str()) {
            Some(self.kind.clone())
        } else {
            c.fail("kind", Msg::new("请选择交流类型"));
            None
        };
        let to_unit_id = c.take("to_unit_id", id(&self.to_unit_id));
        let started_on = c.take("started_on", crate::validate::date(&self.started_on));
        let ended_on = c.take("ended_on", optional_date(&self.ended_on));
        if let (Some(s), Some(Some(e))) = (started_on, ended_on)
            && e < s
        {
            c.fail("ended_on", Msg::new("结束日期不能早于开始日期"));
        }
        let note = c.take("note", optional(&self.note, 200));
        c.finish(|| {
            Some(PostingFields {
                kind: kind?,
                to_unit_id: to_unit_id?,
                started_on: started_on?,
                ended_on: ended_on?,
                note: note?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_needs_a_name_and_a_unit() {
        let e = PersonInput::default().parse().unwrap_err();
        assert!(e.0.contains_key("name") && e.0.contains_key("unit_id"));
        let ok = PersonInput { name: "王明".into(), unit_id: "3".into(), ..PersonInput::default() };
        assert_eq!(ok.parse().unwrap().status, "active");
    }

    #[test]
    fn only_party_members_join_a_branch() {
        let p = PersonInput {
            name: "李华".into(),
            unit_id: "3".into(),
            branch_id: "2".into(),
            ..PersonInput::default()
        };
        assert!(p.parse().unwrap_err().0.contains_key("branch_id"));
        let p = PersonInput { party_member: Some("on".into()), ..p };
        assert_eq!(p.parse().unwrap().branch_id, Some(2));
    }

    #[test]
    fn a_posting_cannot_end_before_it_starts() {
        let p = PostingInput {
            kind: "secondment".into(),
            to_unit_id: "4".into(),
            started_on: "2026-03-01".into(),
            ended_on: "2026-02-01".into(),
            ..PostingInput::default()
        };
        assert!(p.parse().unwrap_err().0.contains_key("ended_on"));
    }

    #[test]
    fn nobody_mentors_themselves() {
        let m = MentoringInput {
            mentee_id: "5".into(),
            started_on: "2026-01-01".into(),
            ..MentoringInput::default()
        };
        assert!(m.parse(5).is_err());
        assert!(m.parse(6).is_ok());
    }
}
