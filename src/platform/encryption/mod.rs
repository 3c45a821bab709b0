//! Personal data at rest: XChaCha20-Poly1305 with keys from configuration and the key id written
//! in front of every value (`t1:<base64 nonce+ciphertext>`), so keys can be rotated: the first
//! configured key encrypts, every configured key decrypts. The column a value belongs to is bound
//! in as associated data, so a ciphertext cannot be moved to another column. Lookups (a mobile
//! number, a user name) go through keyed hashes (HMAC-SHA256), never through the plaintext.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead as _, Payload};
use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac as _};

use crate::config::SecuritySettings;
use crate::error::AppError;

pub struct Crypto {
    keys: Vec<(String, XChaCha20Poly1305)>,
    index_key: Vec<u8>,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Crypto")
            .field("key_ids", &ids)
            .finish_non_exhaustive()
    }
}

fn key_bytes(b64: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    let k = B64
        .decode(b64.trim())
        .map_err(|e| anyhow::anyhow!("{what}: not base64: {e}"))?;
    if k.len() != 32 {
        anyhow::bail!("{what}: must be 32 bytes, is {}", k.len());
    }
    Ok(k)
}

impl Crypto {
    pub fn from_settings(s: &SecuritySettings) -> anyhow::Result<Self> {
        if s.pii_keys.is_empty() || s.pii_index_key.is_empty() {
            anyhow::bail!(
                "security.pii_keys and security.pii_index_key must be set \
                 (MGRAMSEVA__SECURITY__PII_KEYS, MGRAMSEVA__SECURITY__PII_INDEX_KEY)"
            );
        }
        let mut keys = Vec::new();
        for part in s
            .pii_keys
            .expose()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (id, b64) = part
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("security.pii_keys: each key is id:base64"))?;
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                anyhow::bail!("security.pii_keys: key id {id:?} must be letters and digits");
            }
            if keys.iter().any(|(k, _)| k == id) {
                anyhow::bail!("security.pii_keys: key id {id} appears twice");
            }
            let k = key_bytes(b64, "security.pii_keys")?;
            let cipher = XChaCha20Poly1305::new_from_slice(&k)
                .map_err(|_| anyhow::anyhow!("security.pii_keys: bad key"))?;
            keys.push((id.to_owned(), cipher));
        }
        if keys.is_empty() {
            anyhow::bail!("security.pii_keys holds no key");
        }
        Ok(Self {
            keys,
            index_key: key_bytes(s.pii_index_key.expose(), "security.pii_index_key")?,
        })
    }

    /// The id of the key that encrypts.
    pub fn active_key(&self) -> &str {
        self.keys.first().map(|(id, _)| id.as_str()).unwrap_or("")
    }

    /// Encrypts `plaintext` for `column`.
    pub fn seal(&self, column: &str, plaintext: &str) -> String {
        let Some((id, cipher)) = self.keys.first() else {
            return String::new();
        };
        let mut nonce_bytes = [0u8; 24];
        rand::fill(&mut nonce_bytes);
        let nonce = XNonce::from(nonce_bytes);
        // Encryption with a valid key and nonce cannot fail for inputs of this size.
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: column.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ct);
        format!("{id}:{}", B64.encode(out))
    }

    /// Decrypts a value sealed for `column` with any configured key.
    pub fn open(&self, column: &str, sealed: &str) -> Result<String, AppError> {
        let fail =
            |why: &str| AppError::Internal(anyhow::anyhow!("cannot decrypt {column}: {why}"));
        let (id, b64) = sealed.split_once(':').ok_or_else(|| fail("no key id"))?;
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .ok_or_else(|| fail("unknown key id"))?;
        let raw = B64.decode(b64).map_err(|_| fail("not base64"))?;
        if raw.len() < 24 {
            return Err(fail("too short"));
        }
        let (nonce, ct) = raw.split_at(24);
        let mut n = [0u8; 24];
        n.copy_from_slice(nonce);
        let pt = cipher
            .decrypt(
                &XNonce::from(n),
                Payload {
                    msg: ct,
                    aad: column.as_bytes(),
                },
            )
            .map_err(|_| fail("authentication failed"))?;
        String::from_utf8(pt).map_err(|_| fail("not text"))
    }

    pub fn seal_opt(&self, column: &str, v: Option<&str>) -> Option<String> {
        v.map(|v| self.seal(column, v))
    }

    pub fn open_opt(&self, column: &str, v: Option<&str>) -> Result<Option<String>, AppError> {
        v.map(|v| self.open(column, v)).transpose()
    }

    /// True when `sealed` was not made with the active key.
    pub fn needs_rotation(&self, sealed: &str) -> bool {
        sealed
            .split_once(':')
            .is_none_or(|(id, _)| id != self.active_key())
    }

    /// A keyed hash of `value` in a namespace (`mobile`, `username`, `otp`, ...).
    pub fn blind_index(&self, namespace: &str, value: &str) -> Vec<u8> {
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(&self.index_key) else {
            return Vec::new();
        };
        mac.update(namespace.as_bytes());
        mac.update(&[0]);
        mac.update(value.trim().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// A mobile number as logs may show it: the last two digits only.
pub fn mask_mobile(m: &str) -> String {
    let digits: Vec<char> = m.chars().collect();
    let keep = digits.len().saturating_sub(2);
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { *c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn settings(keys: &str) -> SecuritySettings {
        SecuritySettings {
            pii_keys: Secret::new(keys),
            pii_index_key: Secret::new(B64.encode([7u8; 32])),
            access_token_minutes: 1,
            refresh_token_minutes: 2,
            otp_valid_minutes: 1,
            otp_max_attempts: 1,
            otp_max_sends_per_hour: 1,
            otp_register_max_per_address_per_hour: 1,
            otp_register_max_per_hour: 1,
            anonymous_calls_per_minute: 1,
            lockout_failures: 1,
            lockout_window_minutes: 1,
            lockout_minutes: 1,
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            secure_cookies: false,
            token_cache_seconds: 0,
        }
    }

    #[test]
    fn seal_open_and_rotate() -> anyhow::Result<()> {
        let k1 = format!("k1:{}", B64.encode([1u8; 32]));
        let k2 = format!("k2:{}", B64.encode([2u8; 32]));
        let old = Crypto::from_settings(&settings(&k1))?;
        let sealed = old.seal("user.name", "Gurpreet Kaur");
        assert!(sealed.starts_with("k1:"));
        assert!(!sealed.contains("Gurpreet"));
        assert_ne!(
            sealed,
            old.seal("user.name", "Gurpreet Kaur"),
            "random nonce"
        );
        assert_eq!(old.open("user.name", &sealed)?, "Gurpreet Kaur");
        assert!(
            old.open("user.mobile", &sealed).is_err(),
            "bound to its column"
        );

        let new = Crypto::from_settings(&settings(&format!("{k2},{k1}")))?;
        assert_eq!(
            new.open("user.name", &sealed)?,
            "Gurpreet Kaur",
            "old key still decrypts"
        );
        assert!(new.needs_rotation(&sealed));
        let resealed = new.seal("user.name", "Gurpreet Kaur");
        assert!(resealed.starts_with("k2:") && !new.needs_rotation(&resealed));
        assert!(
            old.open("user.name", &resealed).is_err(),
            "the old set cannot read the new key"
        );
        Ok(())
    }

    #[test]
    fn blind_index_is_keyed_and_namespaced() -> anyhow::Result<()> {
        let c = Crypto::from_settings(&settings(&format!("k1:{}", B64.encode([1u8; 32]))))?;
        assert_eq!(
            c.blind_index("mobile", "9876543210"),
            c.blind_index("mobile", " 9876543210 ")
        );
        assert_ne!(
            c.blind_index("mobile", "9876543210"),
            c.blind_index("username", "9876543210")
        );
        assert_eq!(c.blind_index("mobile", "9876543210").len(), 32);
        Ok(())
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(Crypto::from_settings(&settings("")).is_err());
        assert!(Crypto::from_settings(&settings("nokeyid")).is_err());
        assert!(Crypto::from_settings(&settings("k1:c2hvcnQ=")).is_err());
        let k = B64.encode([1u8; 32]);
        assert!(Crypto::from_settings(&settings(&format!("k1:{k},k1:{k}"))).is_err());
    }

    #[test]
    fn masks_mobile_numbers() {
        assert_eq!(mask_mobile("9876543210"), "********10");
    }
}
