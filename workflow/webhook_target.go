package workflow

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Webhook targets: which addresses a webhook may be delivered to. The same
// rule runs when a webhook is made (on the URL's host and every address it
// resolves to) and when a delivery dials (on each address it connects to),
// so a name that is re-pointed later is caught too.

// ErrReservedTarget refuses an address no webhook receiver may have: cloud
// metadata services, link-local, carrier-grade NAT, NAT64, multicast,
// documentation and other reserved ranges.
var ErrReservedTarget = errors.New("the address is reserved or internal (link-local, metadata service, carrier-grade NAT, NAT64, multicast or another reserved range), which webhooks may not reach")

// ErrPrivateTarget refuses a loopback or private address unless private
// receivers are allowed (CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE=true).
var ErrPrivateTarget = errors.New("the address is loopback or private; webhooks reach those only when CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE=true")

var reservedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this" network
		"100.64.0.0/10",   // carrier-grade NAT (100.100.100.200 is a metadata service)
		"169.254.0.0/16",  // link-local (169.254.169.254)
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, and the broadcast address
		"::/128",          // unspecified
		"::ffff:0:0/96",   // IPv4-mapped (checked again unmapped)
		"64:ff9b::/96",    // NAT64
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard
		"2001::/23",       // IETF protocol assignments (Teredo, …)
		"2001:db8::/32",   // documentation
		"2002::/16",       // 6to4, which embeds any IPv4 address
		"fd00:ec2::/32",   // cloud metadata (fd00:ec2::254)
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// CheckWebhookAddress says whether a webhook may be delivered to ip.
// Reserved and internal ranges are always refused; loopback and private
// ones (10/8, 172.16/12, 192.168/16, fc00::/7, 127/8, ::1) only when
// allowPrivate.
func CheckWebhookAddress(ip netip.Addr, allowPrivate bool) error {
	if !ip.IsValid() {
		return ErrReservedTarget
	}
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	ip = ip.WithZone("")
	for _, p := range reservedPrefixes {
		if p.Contains(ip) {
			return ErrReservedTarget
		}
	}
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return ErrReservedTarget
	}
	if ip.IsLoopback() || ip.IsPrivate() {
		if !allowPrivate {
			return ErrPrivateTarget
		}
	}
	return nil
}

// IsPublicAddress reports whether ip is an ordinary public address.
func IsPublicAddress(ip netip.Addr) bool {
	return CheckWebhookAddress(ip, false) == nil
}

// webhookLookupTimeout bounds the name lookup at a webhook's creation.
const webhookLookupTimeout = 3 * time.Second

// CheckWebhookTarget checks a webhook URL's host when the webhook is made:
// a literal address, "localhost", and every address the name resolves to
// must pass CheckWebhookAddress. A name that does not resolve now is
// accepted (a receiver may be set up later); each delivery checks again.
func CheckWebhookTarget(ctx context.Context, rawURL string, allowPrivate bool) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil // Validate reports it
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return nil
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		addrs = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	} else {
		ctx, cancel := context.WithTimeout(ctx, webhookLookupTimeout)
		defer cancel()
		addrs, _ = net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	var p Problems
	for _, ip := range addrs {
		if err := CheckWebhookAddress(ip, allowPrivate); err != nil {
			p.Add("url", "%s resolves to %s: %v", host, ip, err)
			break
		}
	}
	return p.Err("the webhook's receiver may not be reached")
}
