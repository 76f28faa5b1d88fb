//! The calling window Mirai v2 campaigns dial in.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

/// Minutes in a day.
const DAY: u16 = 24 * 60;
/// The largest UTC offset in use anywhere, in minutes (±18 hours bounds every real one).
const MAX_OFFSET: i16 = 18 * 60;

/// When Mirai v2 campaigns may dial.
///
/// Mirai enforces India's calling window, 09:00–21:00 IST, for campaigns only (a single
/// `POST /v2/calls` dials whenever asked), and each campaign has its own `slots` and dates on
/// top. The simulator stands in for all of them with one window, set with
/// [`crate::SimBuilder::calling_window`] and changed at run time with
/// [`crate::MiraiV2Control::set_calling_window`]:
///
/// - [`CallingWindow::always_open`] (the default): campaigns dial whenever told to, whatever the
///   clock and their slots and dates say, so tests do not depend on when they run.
/// - [`CallingWindow::closed`]: no window opens again. `start` and `resume` answer 409
///   `window_closed`; a campaign already in `play` stays in `play` but dials nothing (asleep).
/// - [`CallingWindow::daily`], e.g. [`CallingWindow::india`]: open between two local times of day
///   at a fixed UTC offset, by the wall clock. Outside it a campaign in `play` sleeps; `start` and
///   `resume` answer 409 `window_closed` once no window is left on or before the campaign's
///   `end_date`, read in the window's local time.
///
/// A campaign's `timezone` and `slots` are validated and echoed, not evaluated: the simulator
/// carries no time zone database, and India has one fixed offset anyway.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use calls_sim::CallingWindow;
///
/// // 2026-07-26T09:16:38Z is 14:46 in India: inside 09:00–21:00 IST.
/// let afternoon = UNIX_EPOCH + Duration::from_secs(1_785_057_398);
/// assert!(CallingWindow::india().is_open_at(afternoon));
/// // Eight hours later it is 22:46 IST.
/// assert!(!CallingWindow::india().is_open_at(afternoon + Duration::from_secs(8 * 3600)));
/// assert!(CallingWindow::always_open().is_open_at(SystemTime::now()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallingWindow {
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    AlwaysOpen,
    Closed,
    /// Minutes after local midnight, and local time minus UTC in minutes.
    Daily {
        start: u16,
        end: u16,
        offset: i16,
    },
}

impl Default for CallingWindow {
    fn default() -> Self {
        CallingWindow::always_open()
    }
}

impl CallingWindow {
    /// Always open, and campaign dates are not checked: the default.
    pub const fn always_open() -> CallingWindow {
        CallingWindow {
            kind: Kind::AlwaysOpen,
        }
    }

    /// Never open again: `start`/`resume` get 409 `window_closed`, running campaigns sleep.
    pub const fn closed() -> CallingWindow {
        CallingWindow { kind: Kind::Closed }
    }

    /// Open every day from `start_minute` to `end_minute`, counted in minutes after local
    /// midnight (540 is 09:00), where local time is UTC plus `utc_offset_minutes` (330 for IST).
    ///
    /// Minutes wrap at 1,440; a start after the end makes a window that crosses midnight; an
    /// empty window (start equal to end) never opens, like [`CallingWindow::closed`]. The offset
    /// is clamped to ±18 hours, the range of real offsets.
    pub fn daily(start_minute: u16, end_minute: u16, utc_offset_minutes: i16) -> CallingWindow {
        CallingWindow {
            kind: Kind::Daily {
                start: start_minute % DAY,
                end: end_minute % DAY,
                offset: utc_offset_minutes.clamp(-MAX_OFFSET, MAX_OFFSET),
            },
        }
    }

    /// India's calling window for campaigns, 09:00–21:00 IST (UTC+05:30), by the wall clock.
    pub fn india() -> CallingWindow {
        CallingWindow::daily(9 * 60, 21 * 60, 330)
    }

    /// Whether a campaign may dial at `time`.
    pub fn is_open_at(&self, time: SystemTime) -> bool {
        match self.kind {
            Kind::AlwaysOpen => true,
            Kind::Closed => false,
            Kind::Daily { start, end, offset } => {
                let minute = local_minutes(time, offset).rem_euclid(i64::from(DAY));
                let (start, end) = (i64::from(start), i64::from(end));
                if start < end {
                    (start..end).contains(&minute)
                } else if start > end {
                    minute >= start || minute < end
                } else {
                    false
                }
            }
        }
    }

    /// Whether a window opens or is open at `now` or later, on or before the local date
    /// `end_date` (`YYYY-MM-DD`). An always-open window ignores the date; an unreadable date
    /// counts as open, since create and PATCH validate it.
    pub(crate) fn has_window_left(&self, now: SystemTime, end_date: &str) -> bool {
        match self.kind {
            Kind::AlwaysOpen => true,
            Kind::Closed => false,
            Kind::Daily { start, end, offset } => {
                if start == end {
                    return false;
                }
                let Some(end_day) = days_since_epoch(end_date) else {
                    return true;
                };
                // The last window closes at `end` on the end date, or the day after when it
                // crosses midnight.
                let closing_day = if start > end { end_day + 1 } else { end_day };
                let last_close = closing_day * i64::from(DAY) + i64::from(end);
                local_minutes(now, offset) < last_close
            }
        }
    }

    /// The JSON the `/_sim/mirai_v2/calling_window` control route reads and writes.
    pub(crate) fn to_json(self) -> Value {
        match self.kind {
            Kind::AlwaysOpen => json!({ "kind": "always_open" }),
            Kind::Closed => json!({ "kind": "closed" }),
            Kind::Daily { start, end, offset } => json!({
                "kind": "daily",
                "start": hh_mm(start),
                "end": hh_mm(end),
                "utc_offset_minutes": offset,
            }),
        }
    }

    /// Reads `{"kind": "always_open" | "closed" | "india"}` or
    /// `{"kind": "daily", "start": "HH:MM", "end": "HH:MM", "utc_offset_minutes": N}`.
    pub(crate) fn from_json(object: &Map<String, Value>) -> Result<CallingWindow, String> {
        match object.get("kind").and_then(Value::as_str) {
            Some("always_open") => Ok(CallingWindow::always_open()),
            Some("closed") => Ok(CallingWindow::closed()),
            Some("india") => Ok(CallingWindow::india()),
            Some("daily") => {
                let minute = |key: &str| {
                    object
                        .get(key)
                        .and_then(Value::as_str)
                        .and_then(parse_hh_mm)
                        .ok_or(format!("{key} must be a time of day \"HH:MM\""))
                };
                let offset = match object.get("utc_offset_minutes") {
                    None => 0,
                    Some(value) => value
                        .as_i64()
                        .and_then(|o| i16::try_from(o).ok())
                        .filter(|o| (-MAX_OFFSET..=MAX_OFFSET).contains(o))
                        .ok_or("utc_offset_minutes must be an integer from -1080 to 1080")?,
                };
                Ok(CallingWindow::daily(
                    minute("start")?,
                    minute("end")?,
                    offset,
                ))
            }
            _ => Err("kind must be one of always_open, closed, india, daily".to_owned()),
        }
    }
}

/// Minutes since the epoch in local time: UTC plus `offset` minutes.
fn local_minutes(time: SystemTime, offset: i16) -> i64 {
    let seconds = jiff::Timestamp::try_from(time).map_or(0, |t| t.as_second());
    seconds.div_euclid(60) + i64::from(offset)
}

/// Days from 1970-01-01 to a `YYYY-MM-DD` date.
fn days_since_epoch(date: &str) -> Option<i64> {
    let date: jiff::civil::Date = date.parse().ok()?;
    let midnight = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(midnight.timestamp().as_second().div_euclid(86_400))
}

/// `HH:MM` to minutes after midnight, for `00:00` to `23:59`.
pub(crate) fn parse_hh_mm(text: &str) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: u16 = hours.parse().ok()?;
    let minutes: u16 = minutes.parse().ok()?;
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

fn hh_mm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    /// 2026-07-26T09:16:38Z, 14:46 IST.
    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }
    const NOON_UTC: u64 = 1_785_067_200; // 2026-07-26T12:00:00Z, 17:30 IST

    #[test]
    fn daily_windows() {
        let india = CallingWindow::india();
        assert!(india.is_open_at(at(NOON_UTC)));
        assert!(!india.is_open_at(at(NOON_UTC + 4 * 3600))); // 21:30 IST
        assert!(india.is_open_at(at(NOON_UTC - 8 * 3600 - 1800))); // 09:00 IST exactly
        let night = CallingWindow::daily(22 * 60, 2 * 60, 0);
        assert!(night.is_open_at(at(NOON_UTC + 11 * 3600))); // 23:00
        assert!(night.is_open_at(at(NOON_UTC + 13 * 3600))); // 01:00
        assert!(!night.is_open_at(at(NOON_UTC)));
        assert!(!CallingWindow::daily(600, 600, 0).is_open_at(at(NOON_UTC)));
        assert!(!CallingWindow::closed().is_open_at(at(NOON_UTC)));
    }

    #[test]
    fn window_left_until_the_end_date() {
        let india = CallingWindow::india();
        assert!(india.has_window_left(at(NOON_UTC), "2026-07-26"));
        assert!(!india.has_window_left(at(NOON_UTC + 4 * 3600), "2026-07-26"));
        assert!(india.has_window_left(at(NOON_UTC + 4 * 3600), "2026-07-27"));
        assert!(!india.has_window_left(at(NOON_UTC), "2026-07-25"));
        assert!(CallingWindow::always_open().has_window_left(at(NOON_UTC), "2000-01-01"));
        assert!(!CallingWindow::closed().has_window_left(at(NOON_UTC), "2999-01-01"));
        // Crossing midnight: the window that opens on the end date closes the day after.
        let night = CallingWindow::daily(22 * 60, 2 * 60, 0);
        assert!(night.has_window_left(at(NOON_UTC + 13 * 3600), "2026-07-26"));
    }

    #[test]
    fn json_round_trip() {
        for window in [
            CallingWindow::always_open(),
            CallingWindow::closed(),
            CallingWindow::india(),
            CallingWindow::daily(1439, 1, -300),
        ] {
            let Value::Object(object) = window.to_json() else {
                panic!("not an object");
            };
            assert_eq!(CallingWindow::from_json(&object), Ok(window));
        }
        assert_eq!(parse_hh_mm("24:00"), None);
        assert_eq!(parse_hh_mm("9:00"), None);
        assert_eq!(
            CallingWindow::daily(1500, 0, 5000),
            CallingWindow::daily(60, 0, 1080)
        );
    }
}
