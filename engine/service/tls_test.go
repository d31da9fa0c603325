package service

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// selfSignedCert writes a certificate for 127.0.0.1 and its key.
func selfSignedCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "assist test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestNATSOverTLS(t *testing.T) {
	cert, key := selfSignedCert(t)
	dir := t.TempDir()
	auth := Auth{Dir: dir}
	for _, role := range []Role{RoleService, RoleSupervisor} {
		if _, _, err := auth.Add(role, string(role)); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := StartNATS(NATSConfig{Host: "127.0.0.1", Port: -1, StoreDir: dir + "/js", Auth: auth, TLSCert: cert, TLSKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if !strings.HasPrefix(ns.ClientURL(), "tls://") {
		t.Errorf("ClientURL %q is not tls://", ns.ClientURL())
	}
	creds := auth.CredsPath(RoleSupervisor, "supervisor")
	if nc, err := Dial(ns.ClientURL(), creds, "no-ca", nats.MaxReconnects(0)); err == nil {
		nc.Close()
		t.Error("connected without trusting the server's certificate")
	}
	term, err := DialTerminal(TerminalConfig{URL: ns.ClientURL(), Creds: creds, Role: RoleSupervisor, Name: "supervisor", Options: []nats.Option{nats.RootCAs(cert)}})
	if err != nil {
		t.Fatalf("terminal over TLS: %v", err)
	}
	defer term.Close()
	if !term.Conn().TLSRequired() {
		t.Error("the connection is not over TLS")
	}
	// The service's own connections go in-process, past TLS.
	nc, err := Dial("", auth.CredsPath(RoleService, "service"), "service", ns.InProcess())
	if err != nil {
		t.Fatalf("in-process: %v", err)
	}
	nc.Close()
}
