//! A campaign's calling window: local dates, local times, slots and the time zone they are read in.

use std::fmt;
use std::str::FromStr;

use call_core::{Error, ErrorKind};

fn invalid(what: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidInput, what)
}

/// A local calendar date, `YYYY-MM-DD` (a campaign's `start_date` and `end_date`, inclusive, in its time zone).
///
/// Checked as a real date (months 01 to 12, days within the month, 29 February only in leap years); years are four
/// digits, 0001 to 9999. Dates compare in calendar order.
///
/// ```
/// use mirai_calls::v2::LocalDate;
///
/// let start: LocalDate = "2026-08-11".parse()?;
/// assert!(start < "2026-08-18".parse()?);
/// assert!("2026-02-29".parse::<LocalDate>().is_err());
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDate {
    year: u16,
    month: u8,
    day: u8,
}

impl LocalDate {
    /// The date `year-month-day`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when it is not a real date between 0001-01-01 and 9999-12-31.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> call_core::Result<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(invalid("a date must be YYYY-MM-DD with a real month"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(invalid(
                "a date must be YYYY-MM-DD with a real day of the month",
            ));
        }
        Ok(LocalDate { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for any other shape, or a date that does not exist.
    pub fn parse(text: &str) -> call_core::Result<Self> {
        let bytes = text.as_bytes();
        let shape = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape {
            return Err(invalid("a date must be YYYY-MM-DD"));
        }
        let number = |range: std::ops::Range<usize>| {
            text.get(range)
                .and_then(|digits| digits.parse::<u16>().ok())
                .unwrap_or(0)
        };
        let month = u8::try_from(number(5..7)).unwrap_or(0);
        let day = u8::try_from(number(8..10)).unwrap_or(0);
        LocalDate::from_ymd(number(0..4), month, day)
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalDate({self})")
    }
}

impl FromStr for LocalDate {
    type Err = Error;

    fn from_str(s: &str) -> call_core::Result<Self> {
        LocalDate::parse(s)
    }
}

/// A local time of day, `HH:MM` (00:00 to 23:59), the ends of a calling [`Slot`].
///
/// ```
/// use mirai_calls::v2::LocalTime;
///
/// let ten: LocalTime = "10:00".parse()?;
/// assert_eq!((ten.hour(), ten.minute()), (10, 0));
/// assert!("24:00".parse::<LocalTime>().is_err());
/// assert!("9:00".parse::<LocalTime>().is_err());
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    minutes: u16,
}

impl LocalTime {
    /// The time `hour:minute`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] unless `hour` is 0 to 23 and `minute` 0 to 59.
    pub fn from_hm(hour: u8, minute: u8) -> call_core::Result<Self> {
        if hour > 23 || minute > 59 {
            return Err(invalid("a time must be HH:MM, 00:00 to 23:59"));
        }
        Ok(LocalTime {
            minutes: u16::from(hour) * 60 + u16::from(minute),
        })
    }

    /// Parses `HH:MM` (two digits each).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for any other shape or an hour or minute out of range.
    pub fn parse(text: &str) -> call_core::Result<Self> {
        let bytes = text.as_bytes();
        let shape = bytes.len() == 5
            && bytes[2] == b':'
            && [0, 1, 3, 4].iter().all(|&i| bytes[i].is_ascii_digit());
        if !shape {
            return Err(invalid("a time must be HH:MM, 00:00 to 23:59"));
        }
        let two = |at: usize| (bytes[at] - b'0') * 10 + (bytes[at + 1] - b'0');
        LocalTime::from_hm(two(0), two(3))
    }

    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        u8::try_from(self.minutes / 60).unwrap_or(0)
    }

    /// The minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        u8::try_from(self.minutes % 60).unwrap_or(0)
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl fmt::Debug for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalTime({self})")
    }
}

impl FromStr for LocalTime {
    type Err = Error;

    fn from_str(s: &str) -> call_core::Result<Self> {
        LocalTime::parse(s)
    }
}

/// One daily calling window of a campaign, `{start, end}` in local time.
///
/// A slot may cross midnight (`21:00` to `06:00` is open on both sides of it; Mirai accepts it, though it is rarely
/// lawful in India, where commercial calls belong between 09:00 and 21:00 IST). A zero-length slot is refused: Mirai
/// answers 400 rather than guess "all day".
///
/// ```
/// use mirai_calls::v2::Slot;
///
/// let slot = Slot::parse("10:00", "19:00")?;
/// assert_eq!(slot.to_string(), "10:00-19:00");
/// assert!(Slot::parse("10:00", "10:00").is_err());
/// # Ok::<(), call_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    start: LocalTime,
    end: LocalTime,
}

impl Slot {
    /// The window from `start` to `end`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `start` equals `end`.
    pub fn new(start: LocalTime, end: LocalTime) -> call_core::Result<Self> {
        if start == end {
            return Err(invalid("a slot must not be zero-length (start equals end)"));
        }
        Ok(Slot { start, end })
    }

    /// The window from `start` to `end`, both `HH:MM`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a time that is not `HH:MM`, or a zero-length slot.
    pub fn parse(start: &str, end: &str) -> call_core::Result<Self> {
        Slot::new(LocalTime::parse(start)?, LocalTime::parse(end)?)
    }

    /// Where the window opens.
    pub fn start(&self) -> LocalTime {
        self.start
    }

    /// Where the window closes.
    pub fn end(&self) -> LocalTime {
        self.end
    }

    /// Whether the window crosses midnight (`end` before `start`).
    pub fn crosses_midnight(&self) -> bool {
        self.end < self.start
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// The wire shape of a slot, `{"start": "HH:MM", "end": "HH:MM"}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct SlotBody {
    start: LocalTime,
    end: LocalTime,
}

impl serde::Serialize for Slot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SlotBody {
            start: self.start,
            end: self.end,
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Slot {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Mirai is the authority on what it stored: the times are checked, the zero-length rule is not.
        let body = SlotBody::deserialize(deserializer)?;
        Ok(Slot {
            start: body.start,
            end: body.end,
        })
    }
}

macro_rules! string_serde {
    ($type:ty, $what:literal) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
                <$type>::parse(&s).map_err(|_| serde::de::Error::custom($what))
            }
        }
    };
}

string_serde!(LocalDate, "not a YYYY-MM-DD date");
string_serde!(LocalTime, "not an HH:MM time");

/// Checks an IANA time zone name (`Asia/Kolkata`, `UTC`, `Etc/GMT+5`) as far as we can without a time zone database:
/// 1 to 64 ASCII letters, digits and `/ _ + -`, not starting or ending with `/`. Mirai checks the name itself.
pub(crate) fn check_timezone(name: &str) -> call_core::Result<()> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'+' | b'-'))
        && !name.starts_with('/')
        && !name.ends_with('/');
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "timezone must be an IANA name such as Asia/Kolkata (letters, digits, `/ _ + -`)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_dates() {
        for good in [
            "2026-08-11",
            "2024-02-29",
            "2000-02-29",
            "0001-01-01",
            "9999-12-31",
        ] {
            assert_eq!(LocalDate::parse(good).unwrap().to_string(), good);
        }
        for bad in [
            "",
            "2026-8-11",
            "2026/08/11",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-02-29",
            "1900-02-29",
            "0000-01-01",
            "2026-08-11T00:00",
            "+026-08-11",
            "２０２６-08-11",
        ] {
            assert!(LocalDate::parse(bad).is_err(), "{bad:?}");
        }
        assert!(LocalDate::parse("2026-08-11").unwrap() < LocalDate::parse("2026-09-01").unwrap());
        assert!(LocalDate::parse("2026-12-31").unwrap() < LocalDate::parse("2027-01-01").unwrap());
    }

    #[test]
    fn times_and_slots() {
        assert_eq!(LocalTime::parse("00:00").unwrap().to_string(), "00:00");
        assert_eq!(LocalTime::parse("23:59").unwrap().to_string(), "23:59");
        for bad in [
            "24:00", "10:60", "9:00", "10:0", "10-00", "", "1０:00", "aa:bb",
        ] {
            assert!(LocalTime::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Slot::parse("21:00", "06:00").unwrap().crosses_midnight());
        assert!(Slot::parse("10:00", "10:00").is_err());
        let slot: Slot = serde_json::from_str(r#"{"start":"10:00","end":"19:00"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&slot).unwrap(),
            r#"{"start":"10:00","end":"19:00"}"#
        );
        assert!(serde_json::from_str::<Slot>(r#"{"start":"25:00","end":"19:00"}"#).is_err());
    }

    #[test]
    fn time_zones() {
        for good in [
            "Asia/Kolkata",
            "UTC",
            "Etc/GMT+5",
            "America/Argentina/Buenos_Aires",
        ] {
            assert!(check_timezone(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Asia Kolkata",
            "/Asia",
            "Asia/",
            "Asia/Kolkata\n",
            &"A".repeat(65),
        ] {
            assert!(check_timezone(bad).is_err(), "{bad:?}");
        }
    }
}
