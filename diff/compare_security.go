package diff

import "strconv"

func compareKeys(a, b *Release) []Change {
	var out []Change
	bk := map[string]Key{}
	for _, k := range b.Keys {
		bk[k.Name] = k
	}
	ak := map[string]bool{}
	for _, k := range a.Keys {
		ak[k.Name] = true
		n, ok := bk[k.Name]
		switch {
		case !ok:
			out = append(out, Change{Kind: "key.removed", Subject: k.Name, Before: keyDesc(k), Severity: Info, Why: "the release no longer uses this key"})
		case n.Algorithm != k.Algorithm || n.Fingerprint != k.Fingerprint:
			out = append(out, Change{Kind: "key.changed", Subject: k.Name, Before: keyDesc(k), After: keyDesc(n), Severity: Warning,
				Why: "devices hold the old key (in eFuses or an nvs_keys partition); data made with the new one does not match"})
		}
	}
	for _, k := range b.Keys {
		if !ak[k.Name] {
			out = append(out, Change{Kind: "key.added", Subject: k.Name, After: keyDesc(k), Severity: Info, Why: "a new key"})
		}
	}
	sortChanges(out)
	return out
}

// keyDesc shows a key by algorithm and fingerprint: never its bytes.
func keyDesc(k Key) string {
	if k.Fingerprint == "" {
		return k.Algorithm
	}
	return k.Algorithm + " fingerprint " + k.Fingerprint
}

func compareSecurity(a, b *Release) []Change {
	var out []Change
	fa, fb := a.Security.FlashEncryption, b.Security.FlashEncryption
	switch {
	case fa == nil && fb != nil:
		out = append(out, Change{Kind: "flash_encryption.enabled", Subject: "flash encryption", Before: "off", After: fb.Scheme, Severity: Breaking,
			Why: "devices in the field run without flash encryption and cannot turn it on by OTA with pre-encrypted images"})
	case fa != nil && fb == nil:
		out = append(out, Change{Kind: "flash_encryption.disabled", Subject: "flash encryption", Before: fa.Scheme, After: "off", Severity: Breaking,
			Why: "devices in the field decrypt every read: plaintext images do not run on them"})
	case fa != nil && fb != nil:
		if fa.Scheme != fb.Scheme {
			out = append(out, Change{Kind: "flash_encryption.scheme", Subject: "flash encryption", Before: fa.Scheme, After: fb.Scheme, Severity: Breaking,
				Why: "the eFuses of devices in the field fix the scheme; images for another do not decrypt"})
		}
		if fa.Key != fb.Key {
			out = append(out, Change{Kind: "flash_encryption.key", Subject: "flash encryption", Before: "fingerprint " + fa.Key, After: "fingerprint " + fb.Key, Severity: Breaking,
				Why: "devices in the field hold the old key in eFuses; images encrypted with a new one do not decrypt"})
		}
	}
	if a.Security.SecureBoot != b.Security.SecureBoot {
		out = append(out, Change{Kind: "secure_boot.changed", Subject: "secure boot", Before: orOff(a.Security.SecureBoot), After: orOff(b.Security.SecureBoot), Severity: Breaking,
			Why: "devices in the field keep the Secure Boot their eFuses enabled"})
	}
	da, db := a.Security.SecureBootDigests, b.Security.SecureBootDigests
	for i, d := range da {
		if d == "" {
			continue
		}
		subject := "secure boot digest slot " + strconv.Itoa(i)
		switch {
		case i >= len(db) || db[i] == "":
			out = append(out, Change{Kind: "secure_boot.digest_removed", Subject: subject, Before: d, Severity: Breaking,
				Why: "devices in the field still trust this key; the release no longer burns it, so new and old devices differ"})
		case db[i] != d:
			out = append(out, Change{Kind: "secure_boot.slot_reused", Subject: subject, Before: d, After: db[i], Severity: Breaking,
				Why: "the slot is burned with the old digest on devices in the field; eFuses cannot be rewritten"})
		}
	}
	for i := len(da); i < len(db); i++ {
		if db[i] != "" {
			out = append(out, Change{Kind: "secure_boot.digest_added", Subject: "secure boot digest slot " + strconv.Itoa(i), After: db[i], Severity: Info,
				Why: "a new trusted key in a free slot"})
		}
	}
	return out
}

func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

func compareEfuse(a, b *Release) []Change {
	var out []Change
	bs := map[string]EfuseStep{}
	for _, s := range b.Efuse {
		bs[s.Title] = s
	}
	as := map[string]bool{}
	const why = "devices already provisioned burned the old plan; eFuses cannot be burned back"
	for _, s := range a.Efuse {
		as[s.Title] = true
		n, ok := bs[s.Title]
		switch {
		case !ok:
			out = append(out, Change{Kind: "efuse.step_removed", Subject: s.Title, Before: s.Commands, Severity: Warning, Why: why})
		case n.Commands != s.Commands:
			out = append(out, Change{Kind: "efuse.step_changed", Subject: s.Title, Before: s.Commands, After: n.Commands, Severity: Warning, Why: why})
		}
	}
	for _, s := range b.Efuse {
		if !as[s.Title] {
			out = append(out, Change{Kind: "efuse.step_added", Subject: s.Title, After: s.Commands, Severity: Warning, Why: why})
		}
	}
	sortChanges(out)
	return out
}
