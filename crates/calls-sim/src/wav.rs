//! Small, valid WAV recordings generated per call.

use bytes::Bytes;

/// Samples per second.
const RATE: u32 = 8_000;
/// Length of a generated recording in samples: half a second.
const SAMPLES: u32 = RATE / 2;

/// A half-second 8 kHz mono 16-bit PCM WAV file holding a tone whose pitch depends on `call_id`,
/// so recordings of different calls differ and the same call always gets the same bytes.
pub(crate) fn for_call(call_id: &str) -> Bytes {
    let data_len = SAMPLES * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());

    let hash = call_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let pitch = 300.0 + f64::from(hash % 600);
    for n in 0..SAMPLES {
        let t = f64::from(n) / f64::from(RATE);
        let sample = (t * pitch * std::f64::consts::TAU).sin() * 8_000.0;
        // |sample| <= 8000, so the conversion cannot overflow.
        out.extend_from_slice(&(sample.round() as i16).to_le_bytes());
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_riff_wave() {
        let wav = for_call("ac_1");
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        assert_eq!(wav.len(), 44 + 8_000);
        assert_eq!(
            u32::from_le_bytes([wav[4], wav[5], wav[6], wav[7]]) as usize,
            wav.len() - 8
        );
        assert_eq!(for_call("ac_1"), wav);
        assert_ne!(for_call("ac_2"), wav);
    }
}
