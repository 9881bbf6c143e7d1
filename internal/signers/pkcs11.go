//go:build cgo

package signers

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/miekg/pkcs11"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// Modules loads each PKCS#11 module once. A module may be initialised only once per
// process, so all PKCS#11 signers of a run should share one Modules, closed at the end.
type Modules struct {
	mu     sync.Mutex
	loaded map[string]*pkcs11.Ctx
	own    map[string]bool // initialised by us, hence ours to finalise
}

// PKCS11Supported reports whether this build can use PKCS#11 tokens (it needs cgo).
const PKCS11Supported = true

func (m *Modules) get(path string) (*pkcs11.Ctx, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.loaded[path]; ok {
		return c, nil
	}
	c := pkcs11.New(path)
	if c == nil {
		return nil, fmt.Errorf("cannot load PKCS#11 module %s", path)
	}
	own := true
	if err := c.Initialize(); err != nil {
		if !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
			c.Destroy()
			return nil, fmt.Errorf("PKCS#11 module %s: initialize: %w", path, err)
		}
		// Someone else in this process initialised it; leave finalising to them.
		own = false
	}
	if m.loaded == nil {
		m.loaded, m.own = map[string]*pkcs11.Ctx{}, map[string]bool{}
	}
	m.loaded[path], m.own[path] = c, own
	return c, nil
}

// Close finalises and unloads every module loaded through m.
func (m *Modules) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for path, c := range m.loaded {
		if m.own[path] {
			if err := c.Finalize(); err != nil {
				errs = append(errs, fmt.Errorf("PKCS#11 module %s: finalize: %w", path, err))
			}
		}
		c.Destroy()
	}
	m.loaded, m.own = nil, nil
	return errors.Join(errs...)
}

// PKCS11 signs on a PKCS#11 token with digest-input mechanisms: CKM_ECDSA over the
// digest for ECDSA keys, CKM_RSA_PKCS_PSS (SHA-256, MGF1-SHA-256, 32-byte salt) over
// the digest for RSA keys.
type PKCS11 struct {
	cfg     PKCS11Config
	modules *Modules
	private bool // modules is ours

	mu  sync.Mutex // one token operation at a time per signer
	pub *secureboot.PublicKey
}

var _ stages.Signer = (*PKCS11)(nil)

// NewPKCS11 checks cfg; the module is loaded on first use.
func NewPKCS11(cfg PKCS11Config) (*PKCS11, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	p := &PKCS11{cfg: cfg, modules: cfg.Modules}
	if p.modules == nil {
		p.modules, p.private = &Modules{}, true
	}
	return p, nil
}

// Close releases the module when the signer has its own Modules.
func (p *PKCS11) Close() error {
	if p.private {
		return p.modules.Close()
	}
	return nil
}

// String names the signer.
func (p *PKCS11) String() string {
	return fmt.Sprintf("PKCS#11 key %q (token %q, label %q)", p.cfg.Name, p.cfg.Token, p.cfg.Label)
}

func (p *PKCS11) errorf(format string, a ...any) error {
	return fmt.Errorf("key %q: PKCS#11 token %q, key %q: %w", p.cfg.Name, p.cfg.Token, p.cfg.Label, fmt.Errorf(format, a...))
}

// session opens a logged-in session on the configured token; the caller runs f and
// the session is closed afterwards.
func (p *PKCS11) session(f func(c *pkcs11.Ctx, sh pkcs11.SessionHandle) error) error {
	pin, login, err := p.cfg.pin()
	if err != nil {
		return err
	}
	c, err := p.modules.get(p.cfg.Module)
	if err != nil {
		return fmt.Errorf("key %q: %w", p.cfg.Name, err)
	}
	slots, err := c.GetSlotList(true)
	if err != nil {
		return p.errorf("list slots: %w", err)
	}
	slot, found := uint(0), false
	for _, s := range slots {
		ti, err := c.GetTokenInfo(s)
		if err != nil {
			continue
		}
		if ti.Label == p.cfg.Token {
			if found {
				return p.errorf("more than one token has this label")
			}
			slot, found = s, true
		}
	}
	if !found {
		return p.errorf("no such token in module %s", p.cfg.Module)
	}
	sh, err := c.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return p.errorf("open session: %w", err)
	}
	// Closing the token's last session also logs out.
	defer c.CloseSession(sh)
	if login {
		err := c.Login(sh, pkcs11.CKU_USER, pin)
		if err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_USER_ALREADY_LOGGED_IN)) {
			return p.errorf("login (PIN from %s): %w", p.cfg.PinEnv, err)
		}
	}
	return f(c, sh)
}

// find returns the single object of class with the configured label, or ok false.
func (p *PKCS11) find(c *pkcs11.Ctx, sh pkcs11.SessionHandle, class uint) (pkcs11.ObjectHandle, bool, error) {
	tmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, p.cfg.Label),
	}
	if err := c.FindObjectsInit(sh, tmpl); err != nil {
		return 0, false, p.errorf("find objects: %w", err)
	}
	objs, _, err := c.FindObjects(sh, 2)
	if ferr := c.FindObjectsFinal(sh); err == nil {
		err = ferr
	}
	if err != nil {
		return 0, false, p.errorf("find objects: %w", err)
	}
	switch len(objs) {
	case 0:
		return 0, false, nil
	case 1:
		return objs[0], true, nil
	}
	return 0, false, p.errorf("more than one %s object has this label", className(class))
}

func className(class uint) string {
	if class == pkcs11.CKO_PUBLIC_KEY {
		return "public key"
	}
	return "private key"
}

// PublicKey reads the key from the token: the public key object with the label, or
// for RSA the private key's public attributes.
func (p *PKCS11) PublicKey() (*secureboot.PublicKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.publicKey()
}

func (p *PKCS11) publicKey() (*secureboot.PublicKey, error) {
	if p.pub != nil {
		return p.pub, nil
	}
	err := p.session(func(c *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		obj, ok, err := p.find(c, sh, pkcs11.CKO_PUBLIC_KEY)
		if err != nil {
			return err
		}
		if !ok {
			if obj, ok, err = p.find(c, sh, pkcs11.CKO_PRIVATE_KEY); err != nil {
				return err
			}
			if !ok {
				return p.errorf("no key with this label")
			}
		}
		pub, err := p.readPublic(c, sh, obj)
		if err != nil {
			return err
		}
		p.pub = pub
		return nil
	})
	return p.pub, err
}

func (p *PKCS11) readPublic(c *pkcs11.Ctx, sh pkcs11.SessionHandle, obj pkcs11.ObjectHandle) (*secureboot.PublicKey, error) {
	attrs, err := c.GetAttributeValue(sh, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil)})
	if err != nil || len(attrs) != 1 {
		return nil, p.errorf("read key type: %w", err)
	}
	kt, err := bytesToUlong(attrs[0].Value)
	if err != nil {
		return nil, p.errorf("key type: %w", err)
	}
	switch kt {
	case pkcs11.CKK_RSA:
		a, err := c.GetAttributeValue(sh, obj, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_MODULUS, nil),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, nil),
		})
		if err != nil || len(a) != 2 {
			return nil, p.errorf("read RSA public key: %w", err)
		}
		pub, err := publicKeyFromRSA(a[0].Value, a[1].Value)
		if err != nil {
			return nil, p.errorf("%w", err)
		}
		return pub, nil
	case pkcs11.CKK_EC:
		a, err := c.GetAttributeValue(sh, obj, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, nil),
			pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, nil),
		})
		if err != nil || len(a) != 2 {
			return nil, p.errorf("read EC public key (a token needs a public key object with the same label): %w", err)
		}
		pub, err := publicKeyFromEC(a[0].Value, a[1].Value)
		if err != nil {
			return nil, p.errorf("%w", err)
		}
		return pub, nil
	}
	return nil, p.errorf("%w: key type 0x%x is neither RSA nor EC", secureboot.ErrKeyType, kt)
}

// bytesToUlong decodes a CK_ULONG attribute in the platform's byte order.
func bytesToUlong(b []byte) (uint, error) {
	switch len(b) {
	case 4:
		return uint(binary.NativeEndian.Uint32(b)), nil
	case 8:
		return uint(binary.NativeEndian.Uint64(b)), nil
	}
	return 0, fmt.Errorf("CK_ULONG of %d bytes", len(b))
}

// SignDigest signs digest on the token and verifies the result.
func (p *PKCS11) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pub, err := p.publicKey()
	if err != nil {
		return nil, err
	}
	if err := checkDigest(p.cfg.Name, pub, digest); err != nil {
		return nil, err
	}
	var mech *pkcs11.Mechanism
	if pub.Scheme.IsECDSA() {
		mech = pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil)
	} else {
		mech = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS,
			pkcs11.NewPSSParams(pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256, 32))
	}
	var sig []byte
	err = p.session(func(c *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		obj, ok, err := p.find(c, sh, pkcs11.CKO_PRIVATE_KEY)
		if err != nil {
			return err
		}
		if !ok {
			if p.cfg.PinEnv == "" {
				return p.errorf("no private key with this label (no PIN is configured, and tokens usually show private keys only after login)")
			}
			return p.errorf("no private key with this label")
		}
		if err := c.SignInit(sh, []*pkcs11.Mechanism{mech}, obj); err != nil {
			return p.errorf("sign init: %w", err)
		}
		if sig, err = c.Sign(sh, digest); err != nil {
			return p.errorf("sign: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return verified(p.cfg.Name, "PKCS#11", pub, digest, sig)
}
