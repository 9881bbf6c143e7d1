package planner

// checkDerivedKeys checks every key block with derive_from: its master is a local
// hmac key (whose file checkKeys validates: 32 bytes), and there is a device id to
// derive for. Reported at derive_from, before any stage runs, in validate too.
func (p *planner) checkDerivedKeys() {
	for _, k := range p.cfg.Keys {
		if k.Derive == nil {
			continue
		}
		if p.cfg.DeviceID == "" {
			p.errorf(k.DeriveRange, "Derived key without devices",
				"key.%s is derived from a master secret and the device id, but this manifest has no devices block, so there is no device id. "+
					"Add a devices block, or give the key a file.", k.Name)
			continue
		}
		m := p.cfg.Key(k.Derive.Name)
		if m == nil {
			continue // the reference itself is reported by the manifest
		}
		if m.Algorithm != "hmac" || m.File == "" {
			p.errorf(k.DeriveRange, "Wrong master secret",
				"key.%s has algorithm %q%s; derive_from takes a local key of algorithm \"hmac\" (a 32-byte file, create = true makes one).",
				m.Name, m.Algorithm, map[bool]string{true: " and no file", false: ""}[m.File == ""])
		}
	}
}
