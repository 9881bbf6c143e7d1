package compose

// DerivedKey returns the flash encryption key a key block with derive_from gives this
// configuration's device, for burning into its eFuses (`espcompose key derive`). It is
// the key the build encrypted with: both come from the same key store. The bytes are
// held by the project and zeroed by Close; the caller must not keep them longer.
func (c *Configuration) DerivedKey(name string) ([]byte, error) {
	k := c.Config.Key(name)
	switch {
	case k == nil:
		return nil, usagef("the manifest declares no key %q", name)
	case k.Derive == nil:
		return nil, usagef("key.%s is not derived (it has no derive_from); its key is its file", name)
	}
	return c.keys.Secret(name)
}
