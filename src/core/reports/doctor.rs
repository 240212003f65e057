//! What `doctor` found (pure data): one line per health check, grouped by area, and the environment summary the
//! diagnostics bundle carries. Every URL in here is already redacted by the code that probed it.

/// The state of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Health {
    Ok,
    /// Works, but worth a look (an old head block, no archive state, no batch support).
    Warn,
    /// Broken: the job would fail here.
    Fail,
}

impl Health {
    pub fn name(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warn => "warn",
            Health::Fail => "fail",
        }
    }
}

/// One health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `leveldb`, `json`, `out`, `rpc 56 https://host/…`, `tool`.
    pub area: String,
    pub name: String,
    pub health: Health,
    pub detail: String,
}

/// What `doctor` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorReport {
    pub version: String,
    pub checks: Vec<Check>,
    /// `(name, value)` facts about where the tool runs (no environment values: they may hold secrets).
    pub environment: Vec<(String, String)>,
}

impl DoctorReport {
    /// The worst health of any check (ok when there is none).
    pub fn worst(&self) -> Health {
        self.checks.iter().map(|c| c.health).max().unwrap_or(Health::Ok)
    }

    pub fn count(&self, health: Health) -> usize {
        self.checks.iter().filter(|c| c.health == health).count()
    }
}

/// The health of a head block `age_s` seconds old: more than ten minutes behind is a stale node.
pub fn head_age_health(age_s: i64) -> Health {
    if age_s > 600 {
        Health::Warn
    } else {
        Health::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_check_decides_and_no_check_is_ok() {
        let check = |health| Check { area: "a".into(), name: "n".into(), health, detail: String::new() };
        let mut report = DoctorReport { version: "0".into(), checks: Vec::new(), environment: Vec::new() };
        assert_eq!(report.worst(), Health::Ok);
        report.checks = vec![check(Health::Ok), check(Health::Warn)];
        assert_eq!(report.worst(), Health::Warn);
        report.checks.push(check(Health::Fail));
        assert_eq!(report.worst(), Health::Fail);
        assert_eq!(head_age_health(601), Health::Warn);
        assert_eq!(head_age_health(12), Health::Ok);
    }
}
