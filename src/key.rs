//! The one cache key: a value that says everything a result depends on, serialised with
//! serde (JSON) and hashed with blake3. Stage results in the work folder and finished
//! episodes and clips carry the key they were made for; a different key means made anew.

use serde::Serialize;

/// The key of `deps`, as 64 hex digits. Large inputs (files, images) go in as their own
/// hash, never as their bytes.
pub fn of<T: Serialize + ?Sized>(deps: &T) -> String {
    let bytes = serde_json::to_vec(deps).expect("cache key inputs serialise");
    blake3::hash(&bytes).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_value_same_key() {
        let a = super::of(&("x", 1, [0.5]));
        assert_eq!(a, super::of(&("x", 1, [0.5])));
        assert_ne!(a, super::of(&("x", 2, [0.5])));
        assert_eq!(a.len(), 64);
    }
}
