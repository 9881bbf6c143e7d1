package manifest

import "strings"

// DerivableAlgorithms are the key algorithms a key block may derive per device with
// derive_from: the flash encryption keys, which are raw bytes burned into an eFuse key
// block (any HKDF output of the right length is a valid key). Signing keys are not:
// their private halves are structured (RSA primes, a scalar below the curve order) and
// their public halves are digested into Secure Boot eFuses shared by the fleet; and a
// master secret derived from another would only lengthen the chain.
var DerivableAlgorithms = []string{"aes-192", "aes-256", "xts-aes-128", "xts-aes-128-derived", "xts-aes-256"}

// derivedKey reads key.derive_from: the key is derived per device from a master
// secret (another key block) and the device id. The planner checks the master (a
// local hmac key) and that there is a device to derive for.
func (d *decoder) derivedKey(b *Block, k *Key) {
	a := b.Attr("derive_from")
	if a == nil {
		return
	}
	k.DeriveRange = a.Expr.Range()
	r, ok := d.ref(a, "key")
	if !ok {
		return
	}
	for _, other := range []string{"file", "create", "public_key", "signer"} {
		if o := b.Attr(other); o != nil {
			d.errorf(o.Expr.Range(), "Conflicting key sources",
				"key %q is derived (derive_from); a derived key has no %s. Remove %s, or remove derive_from to read the key from a file.", k.Name, other, other)
			return
		}
	}
	if len(b.NestedOf("pkcs11")) > 0 {
		d.errorf(a.Expr.Range(), "Conflicting key sources", "key %q is derived (derive_from) and also on a PKCS#11 token; choose one.", k.Name)
		return
	}
	if r.Name == k.Name {
		d.errorf(a.Expr.Range(), "Key derived from itself", "key %q cannot be its own master secret; derive_from names another key block (algorithm = \"hmac\").", k.Name)
		return
	}
	if k.Algorithm != "" && !contains(DerivableAlgorithms, k.Algorithm) {
		d.errorf(a.Expr.Range(), "Key algorithm cannot be derived",
			"key %q has algorithm %q; derive_from makes per-device flash encryption keys only (%s). "+
				"Device certificate keys are derived by the cert block's own derive_from.", k.Name, k.Algorithm, strings.Join(DerivableAlgorithms, ", "))
		return
	}
	k.Derive = &r
}
