//! Reading settings from environment variables: each reader names the
//! variable in its error, so a bad value is found at start-up, never later.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::ConfigError;

/// The environment, or whatever stands for it in a test.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Env<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Env { lookup }
    }

    /// The value as set, even when empty.
    pub fn raw(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    /// The value without surrounding spaces; unset and empty are alike.
    pub fn get(&self, name: &str) -> Option<String> {
        self.raw(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    pub fn text(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_string())
    }

    /// The value, which `setting` (`HOSTFRONT_PANEL=whm`) cannot do without.
    pub fn required(&self, name: &str, setting: &str) -> Result<String, ConfigError> {
        self.get(name)
            .ok_or_else(|| ConfigError::new(format!("{setting} needs {name}")))
    }

    /// An IP address of the family `T`.
    pub fn address<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<T>()
                .map_err(|_| ConfigError::new(format!("{name} must be an IP address, not {v:?}"))),
        }
    }

    /// A whole number, with a default that takes a system call to know
    /// asked for only when needed.
    pub fn number_or(&self, name: &str, default: impl FnOnce() -> u64) -> Result<u64, ConfigError> {
        match self.get(name) {
            None => Ok(default()),
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| ConfigError::new(format!("{name} must be a whole number, not {v:?}"))),
        }
    }

    pub fn number(&self, name: &str, default: u64) -> Result<u64, ConfigError> {
        self.number_or(name, || default)
    }

    /// A whole number within `range` (a value outside it is brought in).
    pub fn within(
        &self,
        name: &str,
        default: u64,
        range: RangeInclusive<u64>,
    ) -> Result<u64, ConfigError> {
        Ok(self
            .number(name, default)?
            .clamp(*range.start(), *range.end()))
    }

    /// A count of at least one.
    pub fn count(&self, name: &str, default: u32) -> Result<u32, ConfigError> {
        Ok(self.within(name, default.into(), 1..=u32::MAX.into())? as u32)
    }

    /// Milliseconds within `range`.
    pub fn millis(
        &self,
        name: &str,
        default: u64,
        range: RangeInclusive<u64>,
    ) -> Result<Duration, ConfigError> {
        Ok(Duration::from_millis(self.within(name, default, range)?))
    }

    /// A number from 0 to 1.
    pub fn fraction(&self, name: &str, default: f64) -> Result<f64, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|f| (0.0..=1.0).contains(f))
                .ok_or_else(|| {
                    ConfigError::new(format!("{name} must be a number from 0 to 1, not {v:?}"))
                }),
        }
    }

    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "yes") => Ok(true),
            Some("0" | "false" | "no") => Ok(false),
            Some(other) => Err(ConfigError::new(format!(
                "{name} is true or false, not {other:?}"
            ))),
        }
    }

    /// Days after a due date, ascending, the first 0 or more, at most 60.
    pub fn days(&self, name: &str, default: &str) -> Result<Vec<i64>, ConfigError> {
        let text = self.text(name, default);
        let days: Option<Vec<i64>> = text
            .split(',')
            .map(|d| {
                d.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|d| (0..=60).contains(d))
            })
            .collect();
        days.filter(|d| !d.is_empty() && d.windows(2).all(|w| w[0] < w[1]))
            .ok_or_else(|| {
                ConfigError::new(format!(
                    "{name} must be ascending days from 0 to 60, comma-separated, not {text:?}"
                ))
            })
    }

    /// One of `options`, by name.
    pub fn one_of(
        &self,
        name: &str,
        default: &str,
        options: &[&'static str],
    ) -> Result<&'static str, ConfigError> {
        let value = self.text(name, default);
        options
            .iter()
            .find(|option| **option == value)
            .copied()
            .ok_or_else(|| {
                ConfigError::new(format!("{name} is {}, not {value:?}", options.join(" or ")))
            })
    }
}
