//! What someone holding a link to one household's bill or receipt may see without a login (the
//! routes declared `Access::ProtectedOrLink`, and file links): the one consumer, receipt or bill
//! the request names on one GP, never a list, never another household, and personal data
//! masked: mobile numbers show their last two digits (as on the printed bill), e-mail addresses and postal addresses
//! are left out. The handlers ask [`one`] for what a request names and pass their answer
//! through [`redact`].

use serde_json::Value;

use crate::error::{AppError, AppResult, codes};
use crate::platform::encryption::mask_mobile;

/// Keys holding a mobile number: shown as `********10`.
const MOBILE_KEYS: &[&str] = &[
    "mobileNumber",
    "payerMobileNumber",
    "altContactNumber",
    "mobile",
    "userName",
];

/// Keys holding an e-mail or a postal address: left out (null).
const HIDDEN_KEYS: &[&str] = &[
    "emailId",
    "email",
    "payerEmail",
    "payerAddress",
    "correspondenceAddress",
    "permanentAddress",
    "permanentCity",
    "permanentPincode",
    "correspondencePincode",
    "correspondenceCity",
    "aadhaarNumber",
    "pan",
    "fatherOrHusbandName",
    "dob",
];

/// Whether a mobile number is one [`mask_mobile`] wrote (a client posting back what it was
/// shown): it then stands for the number on record.
pub fn is_masked(m: &str) -> bool {
    m.contains('*')
}

/// Masks every mobile number and leaves out every e-mail and postal address in `v`, at any depth.
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if MOBILE_KEYS.contains(&k.as_str()) {
                    if let Value::String(s) = x
                        && !s.is_empty()
                    {
                        *s = mask_mobile(s);
                    } else if !x.is_null() {
                        *x = Value::Null;
                    }
                } else if HIDDEN_KEYS.contains(&k.as_str()) {
                    *x = Value::Null;
                } else {
                    redact(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

/// The one value of `field` a link holder's request names (one consumer code, one receipt
/// number); none or several is a 400 `LINK_SCOPE` (not a 403: the app logs out on 401/403).
pub fn one(values: &[String], field: &str) -> AppResult<String> {
    match values {
        [one] => Ok(one.clone()),
        _ => Err(scope(
            &format!("without a login, name exactly one {field} (log in to see more)"),
            field,
        )),
    }
}

/// The one GP a link holder's request is about (`pb.lodhipur`, not a list, not the state).
pub fn gp(tenant: &str) -> AppResult<String> {
    if tenant.contains(',') || !tenant.contains('.') {
        return Err(scope(
            "without a login, name one GP as tenantId",
            "tenantId",
        ));
    }
    Ok(tenant.to_owned())
}

/// A filter a link holder may not use (a mobile number, a payer): a 400 `LINK_SCOPE`.
pub fn refuse_filter(present: bool, field: &str) -> AppResult<()> {
    if present {
        Err(scope(&format!("{field} needs a login"), field))
    } else {
        Ok(())
    }
}

fn scope(msg: &str, field: &str) -> AppError {
    AppError::invalid_field(codes::LINK_SCOPE, msg, field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_mobiles_and_drops_addresses_at_any_depth() {
        let mut v = json!({"Bill": [{"payerName": "Gurpreet Kaur", "mobileNumber": "9876543210",
            "payerAddress": "12 Gurdwara Road", "totalAmount": 170,
            "user": {"mobileNumber": "9876543210", "emailId": "g@example.org", "name": "Gurpreet Kaur"}}]});
        redact(&mut v);
        assert_eq!(v["Bill"][0]["mobileNumber"], "********10");
        assert_eq!(v["Bill"][0]["user"]["mobileNumber"], "********10");
        assert_eq!(v["Bill"][0]["payerAddress"], Value::Null);
        assert_eq!(v["Bill"][0]["user"]["emailId"], Value::Null);
        assert_eq!(v["Bill"][0]["payerName"], "Gurpreet Kaur");
        assert_eq!(v["Bill"][0]["totalAmount"], 170);
        assert!(is_masked("********10") && !is_masked("9876543210"));
    }

    #[test]
    fn one_thing_on_one_gp() {
        assert_eq!(
            one(&["WS/1".into()], "consumerCode").ok().as_deref(),
            Some("WS/1")
        );
        assert!(one(&[], "consumerCode").is_err());
        assert!(one(&["WS/1".into(), "WS/2".into()], "consumerCode").is_err());
        assert!(gp("pb.lodhipur").is_ok());
        assert!(gp("pb").is_err() && gp("pb.a,pb.b").is_err());
    }
}
